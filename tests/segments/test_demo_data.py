import pytest
from django.core.management import call_command
from django.db import connection

from segments.models import Consent, DataSource, Event, Identity, Profile
from segments.selectors import table_row_counts
from segments.services import demo_data
from segments.services.demo_data import demo_data_generate
from tests.factories import EventFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def demo_counts() -> dict[str, int]:
    demo = {"source__name__startswith": "Demo · "}
    of_demo_profiles = {"profile__source__name__startswith": "Demo · "}
    return {
        "profiles": Profile.objects.filter(**demo).count(),
        "identities": Identity.objects.filter(**of_demo_profiles).count(),
        "events": Event.objects.filter(**of_demo_profiles).count(),
        "consents": Consent.objects.filter(**of_demo_profiles).count(),
    }


def test_writes_what_it_reports():
    steps = []
    result = demo_data_generate(profiles=500, events=4_000, seed=5, progress=lambda p, m: steps.append(p))

    assert demo_counts() == {key: result[key] for key in ("profiles", "identities", "events", "consents")}
    assert result["profiles"] == 500 and result["events"] == 4_000 and result["consents"] == 1_500
    assert result["identities"] > 500
    assert result["profiles_per_second"] > 0 and result["seconds"] > 0
    assert DataSource.objects.filter(name__startswith="Demo · ").count() == 6
    assert steps == sorted(steps) and steps[-1] >= 99
    counts = table_row_counts()  # kept by the statement triggers, COPY included
    assert counts["segments_profile"] == 500 and counts["segments_event"] == 4_000


def test_every_row_refers_to_a_profile_in_the_reserved_block():
    before = ProfileFactory()
    demo_data_generate(profiles=300, events=2_000, seed=5)
    after = ProfileFactory()

    demo_ids = list(Profile.objects.filter(source__name__startswith="Demo · ").values_list("id", flat=True))
    assert sorted(demo_ids) == list(range(min(demo_ids), min(demo_ids) + 300))
    assert before.id < min(demo_ids) and after.id > max(demo_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM segments_event e LEFT JOIN segments_profile p ON p.id = e.profile_id"
            " WHERE p.id IS NULL"
        )
        assert cursor.fetchone()[0] == 0
    assert Event.objects.filter(amount__isnull=False).exclude(event_type="purchase").count() == 0
    assert Event.objects.filter(event_type="comment", text="").count() == 0


def test_replace_starts_afresh_and_leaves_other_data_alone():
    ours = EventFactory()
    first = demo_data_generate(profiles=400, events=3_000, seed=5)
    second = demo_data_generate(profiles=400, events=3_000, seed=5, replace=True)

    assert demo_counts() == {key: second[key] for key in ("profiles", "identities", "events", "consents")}
    assert second["identities"] == first["identities"]
    assert DataSource.objects.filter(name__startswith="Demo · ").count() == 6
    assert Event.objects.filter(id=ours.id).exists()
    assert table_row_counts()["segments_profile"] == 401


def test_a_second_run_without_replace_refuses_and_changes_nothing():
    demo_data_generate(profiles=300, events=1_000, seed=5)
    before = demo_counts()
    with pytest.raises(ValueError, match="already loaded"):
        demo_data_generate(profiles=600, events=5_000, seed=6)
    assert demo_counts() == before


@pytest.mark.django_db(transaction=True)  # a real transaction, rolled back for real
def test_a_failure_part_way_leaves_nothing_behind(monkeypatch):
    copy = demo_data._copy

    def copy_until_the_events(*, cursor, batch):
        if batch.kind == "events":
            assert Profile.objects.filter(source__name__startswith="Demo · ").count() == 500
            raise RuntimeError("disk full")
        copy(cursor=cursor, batch=batch)

    monkeypatch.setattr(demo_data, "_copy", copy_until_the_events)
    with pytest.raises(RuntimeError, match="disk full"):
        demo_data_generate(profiles=500, events=4_000, seed=5)

    assert demo_counts() == {"profiles": 0, "identities": 0, "events": 0, "consents": 0}
    assert not DataSource.objects.filter(name__startswith="Demo · ").exists()
    assert table_row_counts().get("segments_profile", 0) == 0


def test_the_command_prints_counts_rate_and_logins(capsys):
    call_command("demo_data", profiles=200, events=1_000, seed=5)
    printed = capsys.readouterr().out
    assert "200 profiles" in printed and "1,000 events" in printed and "profiles/s" in printed
    assert "admin / admin-demo-pass" in printed

    call_command("demo_data", profiles=200, if_empty=True)
    assert "already loaded" in capsys.readouterr().out
    assert demo_counts()["profiles"] == 200
    with pytest.raises(ValueError, match="already loaded"):
        call_command("demo_data", profiles=200)
