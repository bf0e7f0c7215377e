import csv
import io

import numpy as np
import pytest

from governance.access import access_grant
from governance.models import AuditEntry
from segments.models import Profile, Segment
from segments.services.privacy import consent_set
from segments.services.segment_versions import NewVersion, segment_versions_write
from tests.factories import IdentityFactory, ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loyal(marketer):
    """Four members: ada and bea consent to marketing, cy does not, dee is a doubtful member."""
    people = {name: ProfileFactory(first_name=name.title()) for name in ("ada", "bea", "cy", "dee")}
    for name in ("ada", "bea", "dee"):
        consent_set(profile=people[name], purpose="marketing", granted=True, actor=None)
    IdentityFactory(profile=people["ada"], kind="email", value="ada@example.com")
    old_ada = ProfileFactory(merged_into=people["bea"])  # bea's phone was found on a merged profile
    IdentityFactory(profile=old_ada, kind="phone", value="+447700900123")
    segment = Segment.objects.create(name="Loyal fans", kind="rule", owner=marketer)
    ids = np.array([people[name].id for name in ("ada", "bea", "cy", "dee")])
    segment_versions_write(
        versions=[NewVersion(segment=segment, profile_ids=ids, confidences=np.array([1, 0.9, 1, 0.3]))]
    )
    segment.refresh_from_db()
    segment.people = people
    return segment


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_manager_exports_consenting_members_with_their_contacts(loyal, manager, login):
    response = login(manager).get(f"/audience/segments/{loyal.id}/export.csv?purpose=marketing")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert 'filename="loyal-fans-v1.csv"' in response["Content-Disposition"]
    exported = {row["first_name"]: row for row in rows(response)}
    assert set(exported) == {"Ada", "Bea", "Dee"}  # cy never agreed to marketing
    assert exported["Ada"]["email"] == "ada@example.com"
    assert exported["Bea"]["phone"] == "+447700900123"
    entry = AuditEntry.objects.get(action="segment.exported")
    assert entry.details["rows"] == 3 and entry.actor == manager


def test_a_withdrawal_and_a_confidence_floor_take_effect_on_the_next_export(loyal, manager, login):
    consent_set(profile=loyal.people["ada"], purpose="marketing", granted=False, actor=None)
    response = login(manager).get(f"/api/v1/segments/{loyal.id}/export/?purpose=marketing&min_confidence=0.5")
    assert response.status_code == 200
    assert [row["first_name"] for row in rows(response)] == ["Bea"]


def test_a_withdrawal_on_a_profile_merged_into_the_member_leaves_them_out(loyal, manager, login):
    old_bea = Profile.objects.get(merged_into=loyal.people["bea"])
    consent_set(profile=old_bea, purpose="marketing", granted=False, actor=None)  # she unsubscribed there
    response = login(manager).get(f"/api/v1/segments/{loyal.id}/export/?purpose=marketing")
    assert [row["first_name"] for row in rows(response)] == ["Ada", "Dee"]


def test_bad_parameters_are_explained(loyal, manager, login):
    client = login(manager)
    page = client.get(f"/audience/segments/{loyal.id}/export.csv?purpose=spam")
    assert page.status_code == 400 and "Choose one of: marketing" in page.content.decode()
    api = client.get(f"/api/v1/segments/{loyal.id}/export/?min_confidence=high")
    assert api.status_code == 400 and "min_confidence" in api.json()["error"]["fields"]
    refused = client.get(f"/api/v1/segments/{loyal.id}/export/?purpose=spam").json()["error"]
    assert refused["code"] == "invalid" and refused["fields"]["purpose"][0].startswith("Choose one of")


def test_exports_need_the_export_permission_and_access_to_sensitive_members(loyal, marketer, manager, login):
    assert login(marketer).get(f"/api/v1/segments/{loyal.id}/export/").status_code == 403
    loyal.sensitivity = "sensitive"
    loyal.save()
    assert login(manager).get(f"/audience/segments/{loyal.id}/export.csv").status_code == 403
    access_grant(actor=marketer, grantee=manager, perm="segments.view_members", obj=loyal)
    assert login(manager).get(f"/audience/segments/{loyal.id}/export.csv").status_code == 200


def test_the_segment_page_offers_the_export_to_those_who_may(loyal, marketer, manager, login):
    assert (
        'data-testid="export-form"' in login(manager).get(f"/audience/segments/{loyal.id}/").content.decode()
    )
    assert (
        'data-testid="export-form"'
        not in login(marketer).get(f"/audience/segments/{loyal.id}/").content.decode()
    )
