"""The segment pages: list, builder (create and edit), live preview, detail and refresh."""

import re

import pytest
from django.urls import reverse

from governance.models import AuditEntry, Job
from segments.models import Segment, SensitiveAttribute
from segments.services.rule_segment_refresh import rule_segment_refresh
from segments.services.rule_segments import rule_segment_update
from tests.segments.rules.conftest import REALISTIC

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def builder_post(rules: list[tuple[str, str]], **extra) -> dict:
    """Form fields of a one-group tree; `rules` are (field, operator, value) as the builder posts."""
    data: dict[str, list[str]] = {"node": ["n:group"], "n.op": ["and"], **{k: [v] for k, v in extra.items()}}
    for index, (field, operator, *values) in enumerate(rules):
        key = f"n-{index}"
        data["node"].append(f"{key}:condition")
        data |= {f"{key}.field": [field], f"{key}.shown_field": [field], f"{key}.operator": [operator]}
        data[f"{key}.value"] = list(values)
    return data


ENGAGED = [("rfm_group", "in", "Champions", "Loyal"), ("consent", "granted", "marketing")]


@pytest.fixture
def engaged(audience, marketer, make_rule_segment):
    segment = make_rule_segment(marketer, "Engaged champions", REALISTIC)
    rule_segment_refresh(segment_id=segment.id)
    segment.refresh_from_db()
    return segment


def test_the_list_shows_both_kinds_with_size_and_class(login, marketer, engaged):
    Segment.objects.create(name="Cluster 3", kind="cluster", owner=marketer, sensitivity="special")
    page = login(marketer).get(reverse("segments:segment_list")).content.decode()
    assert "Engaged champions" in page and "Cluster 3" in page and "Special category" in page
    assert '<td data-testid="segment-size">2</td>' in page
    assert "New rule segment" in page


def test_the_list_filters_and_shows_empty_states(login, viewer):
    client = login(viewer)
    page = client.get(reverse("segments:segment_list")).content.decode()
    assert "No segments yet" in page and "New rule segment" not in page
    rows = client.get(reverse("segments:segment_list"), {"q": "zzz"}, **HTMX).content.decode()
    assert "No segment matches" in rows


def test_outsiders_cannot_list_or_open_segments(login, outsider, engaged):
    client = login(outsider)
    assert client.get(reverse("segments:segment_list")).status_code == 403
    assert client.get(reverse("segments:rule_segment_create")).status_code == 403
    for name in ("segment_detail", "segment_members", "segment_compare", "rule_segment_edit"):
        assert client.get(reverse(f"segments:{name}", args=[engaged.id])).status_code == 404
    for name in ("segment_refresh", "rule_builder", "rule_preview", "segment_access_grant"):
        assert client.post(reverse(f"segments:{name}", args=[engaged.id])).status_code == 404
    assert client.post(reverse("segments:rule_preview"), builder_post(ENGAGED)).status_code == 403
    assert client.post(reverse("segments:rule_builder"), builder_post(ENGAGED)).status_code == 403


def test_viewers_read_but_do_not_build(login, viewer, engaged):
    client = login(viewer)
    assert client.get(reverse("segments:segment_detail", args=[engaged.id])).status_code == 200
    assert client.get(reverse("segments:rule_segment_create")).status_code == 403
    assert client.get(reverse("segments:rule_segment_edit", args=[engaged.id])).status_code == 403
    assert client.post(reverse("segments:segment_refresh", args=[engaged.id])).status_code == 403
    assert (
        client.post(reverse("segments:rule_preview", args=[engaged.id]), builder_post(ENGAGED)).status_code
        == 403
    )


def test_the_builder_page_starts_with_one_blank_condition(login, marketer):
    page = login(marketer).get(reverse("segments:rule_segment_create")).content.decode()
    assert 'name="node" value="n-0:condition"' in page and "Choose a field…" in page
    assert f'hx-post="{reverse("segments:rule_preview")}"' in page and "rules-changed from:body" in page
    assert '<label for="n-0-field">Field</label>' in page


def test_creating_a_segment_from_the_form(login, marketer, audience):
    response = login(marketer).post(
        reverse("segments:rule_segment_create"),
        builder_post(ENGAGED, name="Engaged", refresh_schedule="weekly", action="save"),
    )
    segment = Segment.objects.get(name="Engaged")
    assert response.status_code == 302 and response.url == reverse(
        "segments:segment_detail", args=[segment.id]
    )
    assert segment.definition == {
        "op": "and",
        "rules": [
            {"field": "rfm_group", "operator": "in", "value": ["Champions", "Loyal"]},
            {"field": "consent", "operator": "granted", "value": "marketing"},
        ],
    }
    assert segment.refresh_schedule == "weekly"
    assert Job.objects.filter(params__segment_id=segment.id).exists()


def test_problems_are_shown_beside_the_condition_and_nothing_is_saved(login, marketer):
    BAD = [("rfm_group", "in"), ("monetary", ">", "lots")]
    response = login(marketer).post(
        reverse("segments:rule_segment_create"),
        builder_post(BAD, name="Poor buyers", refresh_schedule="never"),
    )
    page = response.content.decode()
    assert response.status_code == 422 and not Segment.objects.exists()
    assert "2 problems in the rules" in page
    assert 'id="err-n-0" class="rule-errors"><p class="field-error">Choose at least one value.</p>' in page
    assert 'id="err-n-1" class="rule-errors"><p class="field-error">Enter a number.</p>' in page
    assert "Segment names may not use" in page


def test_builder_buttons_work_without_javascript(login, marketer):
    response = login(marketer).post(
        reverse("segments:rule_segment_create"), builder_post(ENGAGED, name="X", action="add-group:n")
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Segment.objects.exists()
    assert 'value="n-2:group"' in page and 'id="n-2-0-field"' in page and "autofocus" in page


def test_builder_buttons_redraw_the_tree_with_htmx(login, marketer):
    response = login(marketer).post(
        reverse("segments:rule_builder"), builder_post(ENGAGED, action="remove:n-0"), **HTMX
    )
    page = response.content.decode()
    assert response["HX-Trigger-After-Swap"] == "rules-changed"
    assert 'value="n-0:condition"' in page and 'value="n-1:condition"' not in page
    assert '<option value="consent" selected>' in page
    assert 'id="n-add-condition"' in page and "autofocus" in page


def test_the_live_preview_counts_and_places_problems(login, marketer, audience):
    client = login(marketer)
    ok = client.post(reverse("segments:rule_preview"), builder_post(ENGAGED), **HTMX).content.decode()
    assert '<strong class="rule-size-value" data-testid="preview-size">2</strong>' in ok  # alice and bob
    bad = client.post(
        reverse("segments:rule_preview"), builder_post([("city", "="), ("city", "is_set")]), **HTMX
    )
    page = bad.content.decode()
    assert "1 problem in the rules" in page
    assert '<div id="err-n-0" hx-swap-oob="innerHTML"><p class="field-error">Enter a value.</p>' in page
    assert '<div id="err-n-1" hx-swap-oob="innerHTML">\n</div>' in page  # cleared


def test_editing_shows_the_rules_and_saves_changes(login, marketer, engaged):
    client = login(marketer)
    page = client.get(reverse("segments:rule_segment_edit", args=[engaged.id])).content.decode()
    assert '<option value="events" selected>' in page and 'value="instagram" selected' in page
    response = client.post(
        reverse("segments:rule_segment_edit", args=[engaged.id]),
        builder_post([("city", "=", "Leeds")], name="Leeds", refresh_schedule="never", action="save"),
    )
    assert response.status_code == 302
    engaged.refresh_from_db()
    assert engaged.name == "Leeds" and engaged.definition["rules"][0]["value"] == "Leeds"


def test_a_save_over_someone_elses_newer_save_is_refused(login, marketer, manager, engaged):
    page = login(marketer).get(reverse("segments:rule_segment_edit", args=[engaged.id])).content.decode()
    read_at = re.search(r'name="based_on_updated_at" value="([^"]+)"', page).group(1)
    rule_segment_update(actor=manager, segment=engaged, name="Managers' name", definition=engaged.definition)
    response = login(marketer).post(
        reverse("segments:rule_segment_edit", args=[engaged.id]),
        builder_post(
            [("city", "=", "Leeds")],
            name="Leeds",
            refresh_schedule="never",
            based_on_updated_at=read_at,
            action="save",
        ),
    )
    page = response.content.decode()
    assert response.status_code == 422 and "since you opened it" in page, re.findall(
        r"error[^<]*<[^<]*", page
    )
    engaged.refresh_from_db()
    assert engaged.name == "Managers' name"


def test_a_cluster_segment_is_not_edited_with_the_builder(login, marketer):
    cluster = Segment.objects.create(name="Cluster 1", kind="cluster", owner=marketer)
    response = login(marketer).get(reverse("segments:rule_segment_edit", args=[cluster.id]))
    assert response.status_code == 302 and response.url == reverse(
        "segments:segment_detail", args=[cluster.id]
    )


def test_the_detail_page_shows_rules_size_history_card_and_lineage(login, marketer, engaged):
    rule_segment_refresh(segment_id=engaged.id)
    page = login(marketer).get(reverse("segments:segment_detail", args=[engaged.id])).content.decode()
    assert "RFM group is one of Champions, Loyal" in page
    assert '<span class="value" data-testid="segment-size">2</span>' in page
    assert 'id="size-series"' in page and '"sizes": [2, 2]' in page
    assert 'data-testid="segment-card"' in page and "<dt>Share of the audience</dt><dd>40%</dd>" in page
    assert "Made from…" in page and "<dt>Code</dt>" in page
    versions = list(engaged.versions.order_by("number"))
    compare = reverse("segments:segment_compare", args=[engaged.id])
    assert f'hx-get="{compare}?before={versions[0].id}&amp;after={versions[1].id}" hx-trigger="load"' in page
    assert "Refresh now" in page and "Edit the rules" in page
    assert "Alice" in page  # a normal segment's members are shown to those who read segments


def test_the_transition_matrix_counts_who_moved(login, marketer, engaged, audience):
    from segments.models import Profile

    Profile.objects.filter(id=audience.bob.id).update(city="Gone")  # does not change membership
    engaged.definition = {"op": "and", "rules": [{"field": "city", "operator": "=", "value": "London"}]}
    engaged.save()
    rule_segment_refresh(segment_id=engaged.id)  # alice stays, bob leaves, carol and frank join
    versions = list(engaged.versions.order_by("number"))
    asked = {"before": versions[0].id, "after": versions[1].id}
    client = login(marketer)
    page = client.get(reverse("segments:segment_compare", args=[engaged.id]), asked, **HTMX)
    rows = page.context["comparison"].rows
    assert {row["label"]: [cell["count"] for cell in row["cells"]] for row in rows} == {
        "Engaged champions": [1, 1],
        "Not a member": [2, 0],
    }
    assert page.context["comparison"].columns == ["Engaged champions", "Not a member"]
    assert 'style="--heat: 1.00"' in page.content.decode()
    # Without JavaScript the compare form leads to the detail page, which shows the matrix itself.
    redirected = client.get(reverse("segments:segment_compare", args=[engaged.id]), asked)
    assert redirected.status_code == 302
    detail = client.get(redirected.url).content.decode()
    assert 'data-testid="transition-matrix"' in detail and '<th scope="row">Not a member</th>' in detail


def test_a_version_of_another_segment_cannot_be_compared(login, marketer, engaged, make_rule_segment):
    other = make_rule_segment(marketer, "Other", REALISTIC)
    foreign = rule_segment_refresh(segment_id=other.id)
    mine = engaged.current_version
    asked = {"before": foreign.id, "after": mine.id}
    client = login(marketer)
    assert (
        client.get(reverse("segments:segment_compare", args=[engaged.id]), asked, **HTMX).status_code == 404
    )
    assert client.get(reverse("segments:segment_detail", args=[engaged.id]), asked).status_code == 404


def test_refresh_now_starts_the_job_and_shows_its_progress(login, marketer, engaged):
    response = login(marketer).post(reverse("segments:segment_refresh", args=[engaged.id]), **HTMX)
    job = Job.objects.get(params__segment_id=engaged.id)
    assert response.status_code == 200 and f'id="job-{job.id}"' in response.content.decode()
    detail = login(marketer).get(reverse("segments:segment_detail", args=[engaged.id])).content.decode()
    assert f'id="job-{job.id}"' in detail


def access_holders(segment):
    from segments.rule_segment_selectors import segment_access_holders

    return segment_access_holders(segment=segment)


def test_sensitive_members_are_hidden_with_a_reason_until_access_is_given(login, manager, viewer, audience):
    SensitiveAttribute.objects.all().delete()
    from segments.services.rule_segments import rule_segment_create

    segment = rule_segment_create(
        actor=manager,
        name="Eighties",
        definition={
            "op": "and",
            "rules": [{"field": "birth_year", "operator": "between", "value": [1980, 1995]}],
        },
    )
    rule_segment_refresh(segment_id=segment.id)
    reader = login(viewer)
    page = reader.get(reverse("segments:segment_detail", args=[segment.id])).content.decode()
    assert 'data-testid="members-hidden"' in page and "Alice" not in page
    assert "Uses year of birth" in page
    assert reader.get(reverse("segments:segment_members", args=[segment.id])).status_code == 404

    boss = login(manager)
    panel = boss.get(reverse("segments:segment_detail", args=[segment.id])).content.decode()
    assert "Who may see the members" in panel and f'<option value="{viewer.id}">' in panel
    assert f'<option value="{manager.id}">' not in panel  # not to oneself
    granted = boss.post(
        reverse("segments:segment_access_grant", args=[segment.id]), {"user": viewer.id}, **HTMX
    )
    assert "vic" in granted.content.decode() and "Take back" in granted.content.decode()
    rows = reader.get(reverse("segments:segment_members", args=[segment.id])).content.decode()
    assert "Alice" in rows and "Bob" in rows
    boss.post(reverse("segments:segment_access_revoke", args=[segment.id, viewer.id]), **HTMX)
    assert reader.get(reverse("segments:segment_members", args=[segment.id])).status_code == 404
    themselves = boss.post(
        reverse("segments:segment_access_grant", args=[segment.id]), {"user": manager.id}, **HTMX
    )
    assert "not to oneself" in themselves.content.decode()


def test_only_managers_give_or_take_back_access_to_sensitive_members(
    login, marketer, manager, viewer, audience
):
    SensitiveAttribute.objects.all().delete()
    from segments.services.rule_segments import rule_segment_create

    by_age = {"op": "and", "rules": [{"field": "birth_year", "operator": "between", "value": [1980, 1995]}]}
    segment = rule_segment_create(actor=marketer, name="Eighties", definition=by_age)
    owner = login(marketer)
    page = owner.get(reverse("segments:segment_detail", args=[segment.id])).content.decode()
    assert "Who may see the members" not in page
    grant = reverse("segments:segment_access_grant", args=[segment.id])
    assert owner.post(grant, {"user": viewer.id}, **HTMX).status_code == 403
    assert not access_holders(segment)

    login(manager).post(grant, {"user": viewer.id}, **HTMX)
    assert access_holders(segment) == [viewer]
    revoke = reverse("segments:segment_access_revoke", args=[segment.id, viewer.id])
    assert owner.post(revoke, **HTMX).status_code == 403
    assert access_holders(segment) == [viewer]


def test_members_page_by_profile_id_with_a_confidence_filter(login, marketer, engaged, audience, monkeypatch):
    from segments.views import segments as views

    monkeypatch.setattr(views, "MEMBER_PAGE_SIZE", 1)
    client = login(marketer)
    url = reverse("segments:segment_members", args=[engaged.id])
    first = client.get(url, **HTMX)
    assert first.context["members"][0].profile_id == audience.alice.id
    assert first.context["next_after"] == audience.alice.id
    second = client.get(url, {"after": audience.alice.id}, **HTMX)
    assert [member.profile_id for member in second.context["members"]] == [audience.bob.id]
    assert (
        "No member has a confidence of 1.0" not in client.get(url, {"min_confidence": "1"}).content.decode()
    )
    from segments.models import SegmentMembership

    SegmentMembership.objects.filter(profile=audience.bob).update(confidence=0.4)
    filtered = client.get(url, {"min_confidence": "0.5"}, **HTMX)
    assert [member.profile_id for member in filtered.context["members"]] == [audience.alice.id]


@pytest.mark.parametrize("name", ["segment_list", "rule_segment_create"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(f"segments:{name}"))
    assert response.status_code == 302 and response.url.startswith(reverse("governance:login"))


def test_what_a_refresh_changed_is_listed_on_the_segment_and_marked_as_seen(login, marketer, viewer, engaged):
    london = {"op": "and", "rules": [{"field": "city", "operator": "=", "value": "London"}]}
    rule_segment_update(actor=marketer, segment=engaged, name=engaged.name, definition=london)
    rule_segment_refresh(segment_id=engaged.id)
    page = login(marketer).get(reverse("segments:segment_detail", args=[engaged.id])).content.decode()
    assert "rebuilt from changed rules" in page and "Mark as seen" in page
    alert = engaged.alerts.get(kind="rules")
    acknowledge = reverse("segments:segment_alert_acknowledge", args=[engaged.id, alert.id])
    assert login(viewer).post(acknowledge, **HTMX).status_code == 403
    seen = login(marketer).post(acknowledge, **HTMX).content.decode()
    assert "seen by" in seen
    alert.refresh_from_db()
    assert alert.acknowledged_by == marketer
    seen_entry = AuditEntry.objects.get(action="drift_alert.acknowledged")
    assert seen_entry.subject_id == str(engaged.id)
