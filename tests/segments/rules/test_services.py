"""Creating, editing, previewing and refreshing rule segments."""

from datetime import timedelta

import pytest
from django.db import ProgrammingError, connection
from django.utils import timezone

from governance.models import AuditEntry, Job, JobStatus
from governance.services.jobs import job_execute
from segments.models import (
    BlockedSegmentTerm,
    FeatureRun,
    Segment,
    SegmentMembership,
    SegmentVersion,
    SensitiveAttribute,
)
from segments.rules.compiler import CompiledRule
from segments.rules.validation import DefinitionInvalid
from segments.services import rule_segment_refresh as refresh_module
from segments.services import rule_segments as rule_segments_module
from segments.services.rule_segment_checks import SegmentRefused, rule_sensitivity, segment_name_check
from segments.services.rule_segment_refresh import (
    rule_segment_refresh,
    rule_segment_refresh_work,
    rule_segments_refresh_due,
)
from segments.services.rule_segments import (
    PreviewTimedOut,
    rule_segment_create,
    rule_segment_preview,
    rule_segment_update,
)
from tests.segments.rules.conftest import REALISTIC

pytestmark = pytest.mark.django_db

BY_AGE = {"op": "and", "rules": [{"field": "birth_year", "operator": "between", "value": [1980, 1995]}]}
LONDON = {"op": "and", "rules": [{"field": "city", "operator": "=", "value": "London"}]}


def test_sensitivity_follows_the_defaults_when_the_list_is_empty():
    SensitiveAttribute.objects.all().delete()
    assert rule_sensitivity(definition=LONDON) == ("normal", "")
    level, reason = rule_sensitivity(definition=BY_AGE)
    assert level == "sensitive" and "year of birth" in reason


def test_the_highest_class_among_the_attributes_wins():
    SensitiveAttribute.objects.all().delete()
    SensitiveAttribute.objects.create(attribute="birth_year", sensitivity="sensitive", reason="Age.")
    SensitiveAttribute.objects.create(attribute="gender", sensitivity="special", reason="Sex life.")
    both = {"op": "or", "rules": [*BY_AGE["rules"], {"field": "gender", "operator": "=", "value": "f"}]}
    level, reason = rule_sensitivity(definition=both)
    assert level == "special"
    assert reason == "Uses year of birth: Age; Uses gender: Sex life."


def test_a_segment_built_on_a_sensitive_one_is_sensitive_too(marketer, make_rule_segment):
    SensitiveAttribute.objects.all().delete()
    sensitive = make_rule_segment(marketer, "By age", BY_AGE, sensitivity="sensitive")
    level, reason = rule_sensitivity(
        definition={"op": "and", "rules": [{"field": "segment", "operator": "in", "value": sensitive.id}]}
    )
    assert level == "sensitive" and "“By age”" in reason


def test_create_sets_the_class_audits_and_requests_the_first_version(marketer):
    SensitiveAttribute.objects.all().delete()
    segment = rule_segment_create(actor=marketer, name="  Born   in the eighties ", definition=BY_AGE)
    assert segment.name == "Born in the eighties"
    assert (segment.kind, segment.sensitivity, segment.owner) == ("rule", "sensitive", marketer)
    assert "year of birth" in segment.sensitivity_reason
    assert AuditEntry.objects.filter(action="segment.created", subject_id=str(segment.id)).exists()
    job = Job.objects.get(task_name="segments.rule_segment_refresh")
    assert (job.queue, job.params, job.requested_by) == ("ml", {"segment_id": segment.id}, marketer)


@pytest.mark.parametrize("name", ["Poor students", "the BROKE ones", "Lazy-weekend shoppers"])
def test_blocked_terms_are_refused_as_whole_words_in_any_case(name):
    BlockedSegmentTerm.objects.all().delete()  # the defaults apply
    with pytest.raises(SegmentRefused, match="may not use"):
        segment_name_check(name=name)


def test_blocked_terms_do_not_match_inside_words_and_rows_override_the_defaults():
    BlockedSegmentTerm.objects.all().delete()
    assert segment_name_check(name="Poorly served regions") == "Poorly served regions"
    BlockedSegmentTerm.objects.create(term="whales", reason="Gambling slang")
    assert segment_name_check(name="Poor students") == "Poor students"  # the list replaces the defaults
    with pytest.raises(SegmentRefused, match="Gambling slang"):
        segment_name_check(name="Big Whales")


def test_invalid_definitions_and_taken_names_are_refused(marketer, make_rule_segment):
    make_rule_segment(marketer, "Londoners", LONDON)
    with pytest.raises(SegmentRefused, match="already a segment"):
        rule_segment_create(actor=marketer, name="londoners", definition=LONDON)
    with pytest.raises(DefinitionInvalid) as raised:
        rule_segment_create(actor=marketer, name="Broken", definition={"op": "and", "rules": []})
    assert raised.value.errors[0].path == "rules"
    assert not Segment.objects.filter(name="Broken").exists()


def test_update_reclassifies_and_refreshes_only_when_the_rules_change(marketer, make_rule_segment):
    SensitiveAttribute.objects.all().delete()
    segment = make_rule_segment(marketer, "Londoners", LONDON)
    rule_segment_update(actor=marketer, segment=segment, name="Londoners", definition=LONDON)
    assert not Job.objects.exists() and not AuditEntry.objects.filter(action="segment.updated").exists()
    segment = rule_segment_update(actor=marketer, segment=segment, name="Eighties", definition=BY_AGE)
    assert segment.sensitivity == "sensitive"
    entry = AuditEntry.objects.get(action="segment.updated")
    assert entry.details["changed"] == ["definition", "name", "sensitivity", "sensitivity_reason"]
    assert entry.details["sensitivity"] == {"before": "normal", "after": "sensitive"}
    assert Job.objects.filter(task_name="segments.rule_segment_refresh").count() == 1


def test_a_lower_class_waits_for_the_members_built_from_the_new_rules(marketer, audience):
    SensitiveAttribute.objects.all().delete()
    segment = rule_segment_create(actor=marketer, name="Eighties", definition=BY_AGE)
    rule_segment_refresh(segment_id=segment.id)

    segment = rule_segment_update(actor=marketer, segment=segment, name="Londoners", definition=LONDON)
    # The current members were still chosen by year of birth: they stay protected.
    assert segment.sensitivity == "sensitive"
    assert segment.sensitivity_reason.startswith("Kept until the members are rebuilt")
    assert "year of birth" in segment.sensitivity_reason

    rule_segment_refresh(segment_id=segment.id)
    segment.refresh_from_db()
    assert (segment.sensitivity, segment.sensitivity_reason) == ("normal", "")
    refreshed = AuditEntry.objects.filter(action="segment.refreshed").latest("id")
    assert refreshed.details["sensitivity"] == {"before": "sensitive", "after": "normal"}


def test_a_refresh_takes_the_class_of_the_segments_the_rules_use_now(marketer, audience, make_rule_segment):
    SensitiveAttribute.objects.all().delete()
    used = make_rule_segment(marketer, "Londoners", LONDON)
    rule_segment_refresh(segment_id=used.id)
    uses = {"op": "and", "rules": [{"field": "segment", "operator": "in", "value": used.id}]}
    segment = rule_segment_create(actor=marketer, name="Same people", definition=uses)
    assert segment.sensitivity == "normal"

    Segment.objects.filter(id=used.id).update(sensitivity="special")
    rule_segment_refresh(segment_id=segment.id)
    segment.refresh_from_db()
    assert segment.sensitivity == "special" and "“Londoners”" in segment.sensitivity_reason


def test_an_edit_that_would_make_a_cycle_is_refused(marketer, make_rule_segment):
    first = make_rule_segment(marketer, "First", LONDON)
    uses_first = {"op": "and", "rules": [{"field": "segment", "operator": "in", "value": first.id}]}
    second = make_rule_segment(marketer, "Second", uses_first)
    uses_second = {"op": "and", "rules": [{"field": "segment", "operator": "in", "value": second.id}]}
    third = make_rule_segment(marketer, "Third", uses_second)
    uses_third = {"op": "and", "rules": [{"field": "segment", "operator": "in", "value": third.id}]}
    with pytest.raises(DefinitionInvalid, match="Third → Second → this one"):
        rule_segment_update(actor=marketer, segment=first, name="First", definition=uses_third)


def test_a_segment_without_members_yet_cannot_be_used(audience, marketer, make_rule_segment):
    # "Not a member of" it would select everyone until its first refresh.
    waiting = make_rule_segment(marketer, "Waiting", LONDON)
    outside = {"op": "and", "rules": [{"field": "segment", "operator": "not_in", "value": waiting.id}]}
    with pytest.raises(DefinitionInvalid, match="“Waiting” has no members yet"):
        rule_segment_preview(definition=outside, actor=marketer)
    rule_segment_refresh(segment_id=waiting.id)
    assert rule_segment_preview(definition=outside, actor=marketer) == 2  # Bob and Dave


def test_cluster_segments_are_not_edited_as_rules(marketer):
    segment = Segment.objects.create(name="Cluster 1", kind="cluster", owner=marketer)
    with pytest.raises(SegmentRefused, match="segmentation"):
        rule_segment_update(actor=marketer, segment=segment, name="Cluster 1", definition=LONDON)


def test_refresh_writes_a_version_and_switches_to_it(audience, marketer, make_rule_segment):
    run = FeatureRun.objects.create(finished_at=timezone.now(), profiles=6)
    segment = make_rule_segment(marketer, "Engaged champions", REALISTIC)
    first = rule_segment_refresh(segment_id=segment.id, actor=marketer)
    segment.refresh_from_db()
    assert segment.current_version == first and first.status == "ready"
    assert set(
        SegmentMembership.objects.filter(version=first).values_list("profile_id", flat=True)
    ) == audience.ids("alice", "bob")
    # Two of the five canonical people who are not bots; nobody commented.
    assert first.card == {"size": 2, "share": round(2 / 5, 4), "top_hashtags": []}
    assert first.lineage["feature_run_id"] == run.id
    assert first.lineage["definition_hash"] and first.lineage["code_version"]
    assert first.lineage["run_settings"]["requested_by"] == marketer.username
    assert AuditEntry.objects.filter(action="segment.refreshed", details__version=1).exists()
    second = rule_segment_refresh(segment_id=segment.id)
    segment.refresh_from_db()
    assert (segment.current_version, second.number) == (second, 2)
    assert second.lineage["run_settings"]["requested_by"] == "schedule"


def test_preview_counts_what_a_refresh_selects(audience, marketer, make_rule_segment):
    assert rule_segment_preview(definition=REALISTIC, actor=None) == 2
    segment = make_rule_segment(marketer, "Engaged champions", REALISTIC)
    assert rule_segment_refresh(segment_id=segment.id).size == 2


def test_a_preview_that_runs_too_long_is_stopped_and_the_limit_put_back(monkeypatch, audience):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (before,) = cursor.fetchone()
    monkeypatch.setattr(rule_segments_module, "PREVIEW_TIMEOUT_MS", 50)
    monkeypatch.setattr(
        rule_segments_module, "compile_definition", lambda definition: CompiledRule("SELECT pg_sleep(2)", [])
    )
    with pytest.raises(PreviewTimedOut):
        rule_segment_preview(definition=LONDON, actor=None)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == (before,)


def test_a_refresh_through_a_retired_segment_fails_and_keeps_the_current_version(
    audience, marketer, make_rule_segment
):
    used = make_rule_segment(marketer, "Londoners", LONDON)
    rule_segment_refresh(segment_id=used.id)
    segment = make_rule_segment(
        marketer,
        "Londoners again",
        {"op": "and", "rules": [{"field": "segment", "operator": "in", "value": used.id}]},
    )
    current = rule_segment_refresh(segment_id=segment.id)
    Segment.objects.filter(id=used.id).update(retired_at=timezone.now())
    with pytest.raises(DefinitionInvalid, match="retired"):
        rule_segment_refresh(segment_id=segment.id)
    segment.refresh_from_db()
    assert segment.current_version == current and SegmentVersion.objects.filter(segment=segment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_refresh_failing_after_its_members_are_written_leaves_nothing_behind(
    monkeypatch, audience, marketer
):
    segment = Segment.objects.create(name="Engaged", kind="rule", owner=marketer, definition=REALISTIC)
    current = rule_segment_refresh(segment_id=segment.id)
    # The population is counted after the members are inserted: make that fail.
    monkeypatch.setattr(refresh_module, "POPULATION_SQL", "SELECT id FROM no_such_table")
    with pytest.raises(ProgrammingError, match="no_such_table"):
        rule_segment_refresh(segment_id=segment.id)
    segment.refresh_from_db()
    assert segment.current_version == current
    assert list(SegmentVersion.objects.filter(segment=segment).values_list("number", flat=True)) == [1]
    assert SegmentMembership.objects.count() == 2


@pytest.mark.django_db(databases=["default", "jobs"])
def test_the_refresh_job_reports_its_result_and_its_failure(audience, marketer, make_rule_segment):
    segment = make_rule_segment(marketer, "Engaged", REALISTIC)
    job = refresh_module.rule_segment_refresh_request(segment=segment, actor=marketer)
    assert (
        refresh_module.rule_segment_refresh_request(segment=segment, actor=marketer) == job
    )  # one at a time
    job_execute(job_id=job.id, work=rule_segment_refresh_work)
    job.refresh_from_db()
    assert (job.status, job.result) == (JobStatus.SUCCEEDED, {"version": 1, "members": 2})
    assert SegmentVersion.objects.get(segment=segment).lineage["run_settings"]["job_id"] == job.id

    Segment.objects.filter(id=segment.id).update(definition={"op": "and", "rules": []})
    failing = refresh_module.rule_segment_refresh_request(segment=segment, actor=marketer)
    job_execute(job_id=failing.id, work=rule_segment_refresh_work)
    failing.refresh_from_db()
    assert failing.status == JobStatus.FAILED and "at least one condition" in failing.error
    segment.refresh_from_db()
    assert segment.current_version.number == 1


def test_the_scheduler_asks_for_due_refreshes_only(audience, marketer, make_rule_segment):
    never = make_rule_segment(marketer, "Never", LONDON)
    daily_new = make_rule_segment(marketer, "Daily, never computed", LONDON, refresh_schedule="daily")
    daily_fresh = make_rule_segment(marketer, "Daily, fresh", LONDON, refresh_schedule="daily")
    weekly_old = make_rule_segment(marketer, "Weekly, old", LONDON, refresh_schedule="weekly")
    for segment in (daily_fresh, weekly_old):
        rule_segment_refresh(segment_id=segment.id)
    SegmentVersion.objects.filter(segment=weekly_old).update(created_at=timezone.now() - timedelta(days=8))
    jobs = rule_segments_refresh_due()
    assert {job.params["segment_id"] for job in jobs} == {daily_new.id, weekly_old.id}
    assert never.id not in {job.params["segment_id"] for job in jobs}
    Job.objects.update(status=JobStatus.FAILED)  # failed within the period: not asked for again yet
    assert rule_segments_refresh_due() == []
    later = timezone.now() + timedelta(days=2)
    assert {job.params["segment_id"] for job in rule_segments_refresh_due(now=later)} == {
        daily_new.id,
        daily_fresh.id,
    }


def test_an_edit_saved_while_a_refresh_runs_gets_a_refresh_of_its_own(marketer, audience):
    SensitiveAttribute.objects.all().delete()
    segment = rule_segment_create(actor=marketer, name="Londoners", definition=LONDON)
    running = Job.objects.get(task_name="segments.rule_segment_refresh")
    Job.objects.filter(id=running.id).update(status=JobStatus.RUNNING)

    edited = {"op": "and", "rules": [{"field": "city", "operator": "=", "value": "Paris"}]}
    rule_segment_update(actor=marketer, segment=segment, name="Londoners", definition=edited)
    follow_up = Job.objects.exclude(id=running.id).get(task_name="segments.rule_segment_refresh")
    assert follow_up.status == JobStatus.QUEUED

    # Whichever runs now builds the rules as they stand.
    version = rule_segment_refresh(segment_id=segment.id, job=running)
    assert version.definition == edited
