import pytest
from django.core.management import call_command

from governance.models import Job, JobStatus
from personas.models import Persona, PersonaStatus
from segments.models import ProfileFeatures, Segment
from segments.services.demo_data import demo_data_generate

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])


def test_the_demo_company_gets_segments_features_and_a_draft_persona_once(capsys):
    demo_data_generate(profiles=1500, events=15000, seed=3)
    call_command("demo_data", "--if-empty")  # the demo logins

    call_command("demo_workspace", "--if-empty")

    segments = Segment.objects.filter(retired_at=None).select_related("current_version", "owner")
    assert segments.filter(kind="rule").count() == 3 and segments.filter(kind="cluster").count() >= 2
    assert {segment.owner.username for segment in segments} == {"marketer"}
    assert all(segment.current_version.size > 0 for segment in segments)
    assert all(segment.current_version.card for segment in segments.filter(kind="cluster"))
    assert ProfileFeatures.objects.count() > 1000
    persona = Persona.objects.get()
    assert persona.segments.get().kind == "cluster"
    assert persona.status == PersonaStatus.DRAFT and persona.owner.username == "marketer"
    assert persona.evidence  # every filled field names its figure
    assert not Job.objects.exclude(status=JobStatus.SUCCEEDED).exists()
    assert "Demo workspace ready" in capsys.readouterr().out

    call_command("demo_workspace", "--if-empty")
    assert Segment.objects.count() == segments.count() and Persona.objects.count() == 1
