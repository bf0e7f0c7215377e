"""The segments API: list, create, update, preview, refresh, versions, members, compare, fields."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from governance.access import access_grant
from segments.models import Segment, SensitiveAttribute
from segments.services.rule_segment_refresh import rule_segment_refresh
from tests.segments.rules.conftest import REALISTIC

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def client_for(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def engaged(audience, marketer, make_rule_segment):
    segment = make_rule_segment(marketer, "Engaged champions", REALISTIC)
    rule_segment_refresh(segment_id=segment.id)
    segment.refresh_from_db()
    return segment


def test_outsiders_get_403_on_lists_and_404_on_objects(api, outsider, engaged):
    client = api(outsider)
    assert client.get(reverse("api_segments")).status_code == 403
    assert client.post(reverse("api_segments"), {}, format="json").status_code == 403
    assert client.get(reverse("api_segment_fields")).status_code == 403
    assert (
        client.post(reverse("api_segment_preview"), {"definition": REALISTIC}, format="json").status_code
        == 403
    )
    for name in ("api_segment", "api_segment_versions", "api_segment_members", "api_segment_compare"):
        assert client.get(reverse(name, args=[engaged.id])).status_code == 404, name
    assert client.post(reverse("api_segment_refresh", args=[engaged.id])).status_code == 404
    assert client.put(reverse("api_segment", args=[engaged.id]), {}, format="json").status_code == 404


def test_viewers_read_but_cannot_write(api, viewer, engaged):
    client = api(viewer)
    listed = client.get(reverse("api_segments")).json()
    assert [row["name"] for row in listed["results"]] == ["Engaged champions"]
    assert listed["results"][0]["current_version"]["size"] == 2
    assert (
        client.post(
            reverse("api_segments"), {"name": "X", "definition": REALISTIC}, format="json"
        ).status_code
        == 403
    )
    assert client.put(reverse("api_segment", args=[engaged.id]), {}, format="json").status_code == 403
    assert client.post(reverse("api_segment_refresh", args=[engaged.id])).status_code == 403


def test_create_and_update_a_rule_segment(api, marketer):
    SensitiveAttribute.objects.all().delete()
    client = api(marketer)
    created = client.post(
        reverse("api_segments"),
        {"name": "Engaged", "definition": REALISTIC, "refresh_schedule": "daily"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["kind"], body["sensitivity"], body["refresh_schedule"]) == ("rule", "normal", "daily")
    by_age = {"op": "and", "rules": [{"field": "age", "operator": ">", "value": 40}]}
    updated = client.put(
        reverse("api_segment", args=[body["id"]]), {"name": "Over 40", "definition": by_age}, format="json"
    )
    assert updated.status_code == 200
    assert updated.json()["sensitivity"] == "sensitive" and "age" in updated.json()["sensitivity_reason"]

    stale = {"name": "Over 50", "definition": by_age, "based_on_updated_at": body["updated_at"]}
    conflict = client.put(reverse("api_segment", args=[body["id"]]), stale, format="json")
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "conflict"
    fresh = {**stale, "based_on_updated_at": updated.json()["updated_at"]}
    assert (
        client.put(reverse("api_segment", args=[body["id"]]), fresh, format="json").json()["name"]
        == "Over 50"
    )


def test_an_invalid_definition_is_a_400_naming_the_rule(api, marketer):
    bad = {
        "op": "and",
        "rules": [REALISTIC["rules"][0], {"field": "rfm_group", "operator": "in", "value": []}],
    }
    response = api(marketer).post(reverse("api_segments"), {"name": "Bad", "definition": bad}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "The rule definition is not valid: rules[1].value: Choose at least one value."
    assert error["fields"] == {"definition.rules[1].value": ["Choose at least one value."]}
    assert not Segment.objects.exists()


def test_a_blocked_name_is_a_400_on_the_name(api, marketer):
    response = api(marketer).post(
        reverse("api_segments"), {"name": "Lazy buyers", "definition": REALISTIC}, format="json"
    )
    assert response.status_code == 400
    assert "may not use" in response.json()["error"]["fields"]["name"][0]


def test_cluster_segments_cannot_be_changed_or_refreshed_here(api, marketer):
    cluster = Segment.objects.create(name="Cluster 2", kind="cluster", owner=marketer)
    client = api(marketer)
    put = client.put(
        reverse("api_segment", args=[cluster.id]), {"name": "C", "definition": REALISTIC}, format="json"
    )
    assert put.status_code == 400 and "segmentation" in put.json()["error"]["fields"]["kind"][0]
    assert client.post(reverse("api_segment_refresh", args=[cluster.id])).status_code == 400


def test_preview_counts_a_definition(api, marketer, audience):
    client = api(marketer)
    assert client.post(reverse("api_segment_preview"), {"definition": REALISTIC}, format="json").json() == {
        "size": 2
    }
    invalid = client.post(reverse("api_segment_preview"), {"definition": {"op": "and"}}, format="json")
    assert invalid.status_code == 400 and "rules: A group needs" in invalid.json()["error"]["message"]


def test_preview_while_editing_finds_cycles_through_the_segment(api, marketer, make_rule_segment):
    first = make_rule_segment(marketer, "First", REALISTIC)
    second = make_rule_segment(
        marketer,
        "Second",
        {"op": "and", "rules": [{"field": "segment", "operator": "in", "value": first.id}]},
    )
    uses_second = {"op": "and", "rules": [{"field": "segment", "operator": "in", "value": second.id}]}
    response = api(marketer).post(
        reverse("api_segment_preview"), {"definition": uses_second, "segment": first.id}, format="json"
    )
    assert response.status_code == 400 and "cycle" in response.json()["error"]["message"]


def test_refresh_answers_202_with_the_job(api, marketer, engaged):
    response = api(marketer).post(reverse("api_segment_refresh", args=[engaged.id]))
    assert response.status_code == 202
    assert (response.json()["task_name"], response.json()["params"]) == (
        "segments.rule_segment_refresh",
        {"segment_id": engaged.id},
    )


def test_versions_carry_lineage_and_card(api, viewer, engaged):
    rule_segment_refresh(segment_id=engaged.id)
    versions = api(viewer).get(reverse("api_segment_versions", args=[engaged.id])).json()["results"]
    assert [version["number"] for version in versions] == [2, 1]
    assert versions[0]["card"] == {"size": 2, "share": 0.4, "top_hashtags": []}
    assert {"feature_run_id", "code_version", "definition_hash", "imports"} <= set(versions[0]["lineage"])


def test_members_page_with_a_cursor_and_a_confidence_filter(api, viewer, engaged, audience):
    client = api(viewer)
    url = reverse("api_segment_members", args=[engaged.id])
    first = client.get(url, {"page_size": 1}).json()
    assert first["results"] == [{"profile": audience.alice.id, "confidence": 1.0}]
    second = client.get(first["next"]).json()
    assert second["results"] == [{"profile": audience.bob.id, "confidence": 1.0}] and second["next"] is None
    assert client.get(url, {"min_confidence": "lots"}).status_code == 400


def test_a_sensitive_segments_members_need_a_grant(api, viewer, manager, audience, make_rule_segment):
    segment = make_rule_segment(manager, "Eighties", REALISTIC)
    rule_segment_refresh(segment_id=segment.id)
    # As when an attribute the rules test is declared sensitive after the members were built.
    Segment.objects.filter(id=segment.id).update(sensitivity="sensitive")
    client = api(viewer)
    url = reverse("api_segment_members", args=[segment.id])
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("api_segment", args=[segment.id])).status_code == 200
    )  # the segment itself is not secret
    access_grant(actor=manager, grantee=viewer, perm="segments.view_members", obj=segment)
    assert len(client.get(url).json()["results"]) == 2


def test_rules_cannot_use_members_hidden_from_their_author(
    api, marketer, manager, audience, make_rule_segment
):
    hidden = make_rule_segment(manager, "Eighties", REALISTIC)
    rule_segment_refresh(segment_id=hidden.id)
    Segment.objects.filter(id=hidden.id).update(sensitivity="sensitive")
    uses = {"op": "and", "rules": [{"field": "segment", "operator": "in", "value": hidden.id}]}
    client = api(marketer)

    preview = client.post(reverse("api_segment_preview"), {"definition": uses}, format="json")
    assert preview.status_code == 400 and "not shared with you" in str(preview.json())
    created = client.post(reverse("api_segments"), {"name": "Same people", "definition": uses}, format="json")
    assert created.status_code == 400 and not Segment.objects.filter(name="Same people").exists()

    access_grant(actor=manager, grantee=marketer, perm="segments.view_members", obj=hidden)
    assert (
        client.post(reverse("api_segment_preview"), {"definition": uses}, format="json").json()["size"] == 2
    )


def test_compare_two_versions_as_a_matrix(api, viewer, engaged, audience):
    Segment.objects.filter(id=engaged.id).update(
        definition={"op": "and", "rules": [{"field": "city", "operator": "=", "value": "London"}]}
    )
    rule_segment_refresh(segment_id=engaged.id)
    first, second = engaged.versions.order_by("number")
    client = api(viewer)
    url = reverse("api_segment_compare", args=[engaged.id])
    body = client.get(url, {"before": first.id, "after": second.id}).json()
    assert body == {
        "before": first.id,
        "after": second.id,
        "rows": ["Engaged champions", "Not a member"],
        "columns": ["Engaged champions", "Not a member"],
        "counts": [[1, 1], [2, 0]],
        "total": 4,
    }
    assert client.get(url, {"before": first.id}).status_code == 400
    assert client.get(url, {"before": first.id, "after": 999999}).status_code == 404


def test_the_field_catalogue(api, viewer):
    SensitiveAttribute.objects.all().delete()
    fields = {field["name"]: field for field in api(viewer).get(reverse("api_segment_fields")).json()}
    assert fields["birth_year"]["sensitivity"] == "sensitive" and fields["city"]["sensitivity"] is None
    assert fields["events"]["type"] == "events" and fields["consent"]["options"] == [
        "marketing",
        "personalisation",
        "analytics",
    ]


def test_anonymous_callers_are_refused():
    client = APIClient()
    assert client.get(reverse("api_segments")).status_code in (401, 403)
    assert client.get(reverse("api_segment_fields")).status_code in (401, 403)
    assert client.get(reverse("api_segment", args=[1])).status_code in (401, 403)
