from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import Notification
from personas.models import Persona, StaleFlag
from personas.services.lifecycle import persona_retire
from personas.services.records import persona_review
from personas.services.staleness import staleness_check
from personas.tasks import staleness_check_task
from segments.models import DriftAlert, Profile, Segment, Segmentation
from segments.services.rule_segment_refresh import rule_segment_refresh
from segments.services.rule_segments import rule_segment_create, rule_segment_update
from tests.personas.helpers import persona_of, segment_with

pytestmark = pytest.mark.django_db


def drift(segment, message="Grew by 35% since the last version"):
    return DriftAlert.objects.create(segment=segment, kind="size", message=message, value=0.35, threshold=0.2)


def test_a_passed_review_date_raises_one_flag_and_tells_the_owner_once(marketer, login):
    persona = persona_of(marketer)
    Persona.objects.filter(id=persona.id).update(next_review_on=timezone.localdate() - timedelta(days=1))
    assert staleness_check()["review_due"] == 1
    assert staleness_check()["review_due"] == 0  # the open flag is not raised again
    flag = StaleFlag.objects.get(persona=persona)
    assert flag.reason == "review_due" and flag.cleared_at is None
    assert Notification.objects.filter(user=marketer, message__contains="may be out of date").count() == 1
    page = login(marketer).get(persona.get_absolute_url()).content.decode()
    assert 'data-testid="stale-banner"' in page and "The review was due on" in page


def test_a_drifted_segment_makes_the_persona_stale_until_reviewed(marketer, people):
    segment = segment_with(marketer, "Loyal", people)
    persona = persona_of(marketer, segments=[segment])
    assert staleness_check()["segment_drift"] == 0
    drift(segment)
    assert staleness_check()["segment_drift"] == 1
    assert "Loyal: Grew by 35%" in StaleFlag.objects.get(persona=persona).detail

    persona_review(persona=persona, actor=marketer)
    assert not StaleFlag.objects.filter(persona=persona, cleared_at=None).exists()
    assert persona.next_review_on == timezone.localdate() + timedelta(days=persona.refresh_cycle_days)
    assert staleness_check()["segment_drift"] == 0  # the alert is older than the review

    drift(segment, "Shrank by 40%")
    assert staleness_check()["segment_drift"] == 1
    assert Notification.objects.filter(user=marketer).count() == 2


def test_alerts_from_before_the_segment_was_linked_do_not_count(marketer, people):
    segment = segment_with(marketer, "Loyal", people)
    alert = drift(segment)
    DriftAlert.objects.filter(id=alert.id).update(created_at=timezone.now() - timedelta(days=30))
    persona_of(marketer, segments=[segment])
    assert staleness_check()["segment_drift"] == 0


def test_retired_personas_are_left_alone(marketer, people):
    segment = segment_with(marketer, "Loyal", people)
    persona = persona_of(marketer, segments=[segment])
    persona_retire(persona=persona, actor=marketer, reason="No longer a focus")
    drift(segment)
    assert staleness_check_task() == {"review_due": 0, "segment_drift": 0}


def test_a_rule_segment_rebuilt_from_other_rules_or_much_smaller_makes_the_persona_stale(marketer, people):
    city = "Leeds"
    Profile.objects.filter(id__in=[person.id for person in people[:2]]).update(city=city)
    segment = rule_segment_create(
        actor=marketer,
        name="Locals",
        definition={"op": "and", "rules": [{"field": "city", "operator": "=", "value": city}]},
    )
    rule_segment_refresh(segment_id=segment.id)
    persona = persona_of(marketer, segments=[segment])
    rule_segment_refresh(segment_id=segment.id)  # the same rules and members: nothing to say
    assert staleness_check()["segment_drift"] == 0

    everyone_but = {"op": "and", "rules": [{"field": "city", "operator": "!=", "value": city}]}
    rule_segment_update(actor=marketer, segment=segment, name="Locals", definition=everyone_but)
    rule_segment_refresh(segment_id=segment.id)

    assert staleness_check()["segment_drift"] == 1
    detail = StaleFlag.objects.get(persona=persona).detail
    assert "rebuilt from changed rules" in detail and "grew by" in detail


def test_feature_drift_of_a_segmentation_and_a_retired_segment_reach_the_persona(marketer, people):
    segmentation = Segmentation.objects.create(name="Behaviour", owner=marketer, config={})
    cluster, sibling = (
        segment_with(marketer, "Cluster 1", people),
        segment_with(marketer, "Cluster 2", people),
    )
    Segment.objects.filter(id__in=[cluster.id, sibling.id]).update(kind="cluster", segmentation=segmentation)
    retiring, also_retiring = (
        segment_with(marketer, "Old list", people),
        segment_with(marketer, "Older list", people),
    )
    on_cluster = persona_of(marketer, "On the cluster", segments=[cluster, sibling])
    on_list = persona_of(marketer, "On the list", segments=[retiring, also_retiring])
    DriftAlert.objects.create(
        segmentation=segmentation,
        kind="feature",
        message="Monetary drifted (PSI 0.31).",
        value=0.31,
        threshold=0.25,
    )
    Segment.objects.filter(id__in=[retiring.id, also_retiring.id]).update(retired_at=timezone.now())

    assert staleness_check()["segment_drift"] == 2
    detail = StaleFlag.objects.get(persona=on_cluster).detail
    assert "Monetary drifted" in detail and detail.count("Monetary drifted") == 1
    said = StaleFlag.objects.get(persona=on_list).detail
    assert "Old list: retired" in said and "Older list: retired" in said
