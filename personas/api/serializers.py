"""Input and output shapes of the personas API."""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from personas.diffing import readable_snapshot
from personas.models import Persona, PersonaVersion, Quote
from personas.selectors import persona_latest_version
from personas.services.versions import RECORD_FIELDS


class ChannelShape(serializers.Serializer):
    channel = serializers.CharField(max_length=40)
    share = serializers.FloatField(min_value=0, max_value=1, allow_null=True, required=False, default=None)


class JobsToBeDoneShape(serializers.Serializer):
    functional = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list
    )
    social = serializers.ListField(child=serializers.CharField(max_length=300), required=False, default=list)
    emotional = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list
    )


class ContentPreferencesShape(serializers.Serializer):
    tone = serializers.CharField(max_length=200, required=False, allow_blank=True)
    formats = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    frequency = serializers.CharField(max_length=200, required=False, allow_blank=True)
    best_days = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    best_hours = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    hashtags = serializers.ListField(child=serializers.CharField(max_length=80), required=False)


class JourneyNotesShape(serializers.Serializer):
    awareness = serializers.CharField(required=False, allow_blank=True)
    consideration = serializers.CharField(required=False, allow_blank=True)
    decision = serializers.CharField(required=False, allow_blank=True)
    retention = serializers.CharField(required=False, allow_blank=True)


def _items() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=500), required=False)


class PersonaCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    bio = serializers.CharField(required=False, allow_blank=True)
    demographics_summary = serializers.CharField(required=False, allow_blank=True)
    goals = _items()
    challenges = _items()
    motivations = _items()
    objections = _items()
    decision_triggers = _items()
    jobs_to_be_done = JobsToBeDoneShape(required=False)
    preferred_channels = ChannelShape(many=True, required=False, help_text="Ranked, best first.")
    content_preferences = ContentPreferencesShape(required=False)
    journey_notes = JourneyNotesShape(required=False)
    crm_tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    priority = serializers.IntegerField(min_value=1, max_value=10_000, required=False)
    refresh_cycle_days = serializers.IntegerField(min_value=7, max_value=730, required=False)
    next_review_on = serializers.DateField(required=False, allow_null=True)
    segments = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Ids of the segments it stands for."
    )


class PersonaUpdateInput(PersonaCreateInput):
    """Send only the fields to change; lists and nested fields are replaced whole."""

    name = serializers.CharField(max_length=120, required=False)
    based_on_version = serializers.IntegerField(
        required=False,
        help_text="The version you read; if someone saved the persona since, the change is refused (409).",
    )


class PersonaDraftInput(serializers.Serializer):
    segment = serializers.IntegerField(help_text="The segment whose current version the draft is drawn from.")


class PublishRequestInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class PublishRequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    requested_at = serializers.DateTimeField()
    persona_status = serializers.CharField()


class LinkedSegmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField(help_text="Members of its current version.")
    size_when_linked = serializers.IntegerField()


class PersonaOutput(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    segments = serializers.SerializerMethodField()
    avatar_url = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField(
        help_text="The latest version; send it back as based_on_version."
    )
    evidence = serializers.JSONField(help_text="Per field: the figure it came from and its segment version.")

    class Meta:
        model = Persona
        fields = [
            "id",
            *RECORD_FIELDS,
            "evidence",
            "owner",
            "status",
            "merged_into",
            "retired_reason",
            "next_review_on",
            "version",
            "segments",
            "avatar_url",
            "created_at",
            "updated_at",
        ]

    def get_version(self, persona: Persona) -> int:
        return persona_latest_version(persona)

    @extend_schema_field(LinkedSegmentOutput(many=True))
    def get_segments(self, persona: Persona) -> list[dict]:
        links = persona.personasegment_set.select_related("segment__current_version")
        return [
            {
                "id": link.segment_id,
                "name": link.segment.name,
                "size": link.segment.current_version.size if link.segment.current_version else 0,
                "size_when_linked": link.size_when_linked,
            }
            for link in links
        ]

    def get_avatar_url(self, persona: Persona) -> str:
        return reverse("personas:persona_avatar", args=[persona.id])


class QuoteOutput(serializers.ModelSerializer):
    figure = serializers.SerializerMethodField(
        help_text="Why it was suggested, for quotes drawn from comments."
    )
    from_profile = serializers.SerializerMethodField(help_text="Drawn from a person's comment in the data.")

    class Meta:
        model = Quote
        fields = [
            "id",
            "text",
            "source",
            "said_on",
            "consent_confirmed",
            "is_candidate",
            "from_profile",
            "figure",
            "created_at",
        ]

    def get_figure(self, quote: Quote) -> str:
        return ((quote.persona.evidence or {}).get("quotes") or {}).get(str(quote.id), "")

    def get_from_profile(self, quote: Quote) -> bool:
        return quote.profile_id is not None


class QuoteWriteInput(serializers.Serializer):
    text = serializers.CharField()
    source = serializers.ChoiceField(choices=Quote.Source.choices)
    said_on = serializers.DateField(required=False, allow_null=True)
    consent_confirmed = serializers.BooleanField(required=False, default=False)


class FieldChangeOutput(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    added = serializers.ListField(child=serializers.JSONField())
    removed = serializers.ListField(child=serializers.JSONField())


class PersonaVersionOutput(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)
    changes = FieldChangeOutput(many=True, help_text="What changed from the version before.")
    snapshot = serializers.SerializerMethodField()

    class Meta:
        model = PersonaVersion
        fields = ["number", "created_at", "created_by", "change_summary", "changes", "snapshot"]

    def get_snapshot(self, version: PersonaVersion) -> dict[str, Any]:
        return readable_snapshot(version.snapshot)


class PrimaryPersonaCountOutput(serializers.Serializer):
    persona = serializers.IntegerField()
    name = serializers.CharField()
    priority = serializers.IntegerField()
    people = serializers.IntegerField()


class PrimaryPersonaLookupOutput(serializers.Serializer):
    profile = serializers.IntegerField(help_text="The canonical profile the answer is about.")
    persona = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)
