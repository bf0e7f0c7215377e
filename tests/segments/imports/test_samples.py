import pytest

from segments.models import Event, Identity, ImportStatus, Profile
from tests.segments.imports.conftest import SAMPLES

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])


def test_mall_customers_become_profiles_with_birth_years(crm, imported):
    run = imported(crm, "profiles", (SAMPLES / "mall_customers.csv").read_bytes(), "mall_customers.csv")
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert (run.total_rows, run.inserted_rows, run.rejected_rows) == (200, 200, 0)
    first = Profile.objects.get(source=crm, external_id="1")
    assert first.gender == "male"
    assert first.birth_year == run.created_at.year - 19
    notes = {header: spec["note"] for header, spec in run.mapping["columns"].items()}
    assert "not a profile field yet" in notes["Annual Income (k$)"]
    assert "birth year" in notes["Age"]


def test_instagram_reach_becomes_comments_by_handle(instagram, imported):
    content = (SAMPLES / "instagram_reach.csv").read_bytes()
    run = imported(instagram, "comments", content, "instagram_reach.csv")
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert run.total_rows == 100
    assert run.inserted_rows + run.updated_rows + run.unchanged_rows + run.rejected_rows == 100
    assert Identity.objects.filter(kind="instagram", value="mikequindazzi").exists()
    comments = Event.objects.filter(source=instagram, event_type="comment")
    assert comments.count() == run.inserted_rows
    assert comments.filter(text__contains="#DataScientist").exists()
    again = imported(instagram, "comments", content, "instagram_reach.csv")
    assert (again.inserted_rows, again.unchanged_rows) == (0, run.inserted_rows)
    assert Event.objects.filter(source=instagram).count() == run.inserted_rows
