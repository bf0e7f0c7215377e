"""The persona edit form: every field of the record, lists edited as one item per line."""

import re
from typing import Any

from django import forms

from personas.models import Persona
from personas.selectors import persona_latest_version
from personas.services.versions import RECORD_FIELDS
from segments.models import Segment

CHANNEL_LINE = re.compile(r"^(?P<channel>.+?)(?:[\s:=]+(?P<share>\d+(?:\.\d+)?)\s*%?)?$")
JOBS = ("functional", "social", "emotional")
PREFERENCE_LISTS = ("formats", "best_days", "best_hours", "hashtags")
PREFERENCE_TEXTS = ("tone", "frequency")
STAGES = ("awareness", "consideration", "decision", "retention")


class LinesField(forms.CharField):
    """A list edited in a textarea, one item per line; blank lines and repeats are dropped."""

    def __init__(self, *, rows: int = 3, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "One per line.")
        super().__init__(widget=forms.Textarea(attrs={"rows": rows}), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(str(item) for item in value) if isinstance(value, list | tuple) else value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        return list(dict.fromkeys(line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()))


class ChannelsField(LinesField):
    """Ranked channels, best first, each with its share: "instagram 42%"."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(
                f"{item['channel']} {float(item['share']) * 100:g}%"
                if item.get("share") is not None
                else item["channel"]
                for item in value
            )
        return value

    def clean(self, value: Any) -> list[dict[str, Any]]:
        channels = []
        for line in super().clean(value):
            match = CHANNEL_LINE.match(line)
            share = float(match["share"]) if match and match["share"] else None
            if share is not None and share > 100:
                raise forms.ValidationError(f"“{line}”: a share is at most 100%.")
            channels.append(
                {
                    "channel": (match["channel"] if match else line).strip()[:40],
                    "share": None if share is None else round(share / 100, 3),
                }
            )
        return channels


class PersonaForm(forms.Form):
    name = forms.CharField(max_length=120)
    summary = forms.CharField(max_length=300, required=False, help_text="One line.")
    bio = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    demographics_summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    goals = LinesField()
    challenges = LinesField(label="Challenges and pain points")
    motivations = LinesField()
    objections = LinesField()
    decision_triggers = LinesField()
    jobs_functional = LinesField(label="Jobs to be done: functional")
    jobs_social = LinesField(label="Jobs to be done: social")
    jobs_emotional = LinesField(label="Jobs to be done: emotional")
    preferred_channels = ChannelsField(
        rows=4, help_text="Best first, one per line with its share, e.g. “instagram 42%”."
    )
    tone = forms.CharField(max_length=200, required=False)
    formats = LinesField(label="Formats")
    frequency = forms.CharField(max_length=200, required=False)
    best_days = LinesField(label="Best days")
    best_hours = LinesField(label="Best hours")
    hashtags = LinesField(label="Hashtags")
    awareness = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Awareness")
    consideration = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Consideration"
    )
    decision = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Decision")
    retention = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Retention")
    crm_tags = LinesField(label="CRM tags", help_text="One per line, at most 60 characters each.")
    segments = forms.ModelMultipleChoiceField(
        queryset=Segment.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="The segments whose members this persona stands for.",
    )
    priority = forms.IntegerField(
        min_value=1,
        max_value=10_000,
        initial=100,
        help_text="Lower wins when a person is in several personas.",
    )
    refresh_cycle_days = forms.IntegerField(
        min_value=7, max_value=730, initial=90, label="Refresh cycle (days)"
    )
    next_review_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    FIELDSETS = (
        ("Who they are", ("name", "summary", "bio", "demographics_summary")),
        ("What drives them", ("goals", "challenges", "motivations", "objections", "decision_triggers")),
        ("Jobs to be done", ("jobs_functional", "jobs_social", "jobs_emotional")),
        (
            "Channels and content",
            ("preferred_channels", "tone", "formats", "frequency", "best_days", "best_hours", "hashtags"),
        ),
        ("Buyer journey", STAGES),
        ("Data and upkeep", ("segments", "crm_tags", "priority", "refresh_cycle_days", "next_review_on")),
    )

    based_on_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, segments=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segments"].queryset = segments if segments is not None else Segment.objects.none()

    def fieldsets(self) -> list[dict[str, Any]]:
        return [
            {"legend": legend, "fields": [self[name] for name in names]} for legend, names in self.FIELDSETS
        ]

    @classmethod
    def initial_for(cls, persona: Persona) -> dict[str, Any]:
        initial = {name: getattr(persona, name) for name in RECORD_FIELDS}
        initial["crm_tags"] = list(persona.crm_tags)
        initial["next_review_on"] = persona.next_review_on
        initial["segments"] = list(persona.segments.all())
        initial["based_on_version"] = persona_latest_version(persona)
        for job in JOBS:
            initial[f"jobs_{job}"] = (persona.jobs_to_be_done or {}).get(job, [])
        for key in PREFERENCE_LISTS + PREFERENCE_TEXTS:
            initial[key] = (persona.content_preferences or {}).get(key, [] if key in PREFERENCE_LISTS else "")
        for stage in STAGES:
            initial[stage] = (persona.journey_notes or {}).get(stage, "")
        return initial

    def clean_crm_tags(self) -> list[str]:
        tags = [tag for line in self.cleaned_data["crm_tags"] for tag in line.split(",") if tag.strip()]
        too_long = [tag for tag in tags if len(tag.strip()) > 60]
        if too_long:
            raise forms.ValidationError(f"“{too_long[0][:30]}…” is longer than 60 characters.")
        return list(dict.fromkeys(tag.strip() for tag in tags))

    def record_data(self, *, persona: Persona | None = None) -> dict[str, Any]:
        """The cleaned values in the shape of the record. Keys of the nested fields this form does not
        know (kept from a draft, say) are preserved."""
        data = self.cleaned_data
        values = {name: data[name] for name in RECORD_FIELDS if name in data}
        values["next_review_on"] = data.get("next_review_on")
        values["jobs_to_be_done"] = _nested(
            persona.jobs_to_be_done if persona else {}, {job: data[f"jobs_{job}"] for job in JOBS}
        )
        values["content_preferences"] = _nested(
            persona.content_preferences if persona else {},
            {key: data[key] for key in PREFERENCE_LISTS + PREFERENCE_TEXTS},
        )
        values["journey_notes"] = _nested(
            persona.journey_notes if persona else {}, {stage: data[stage] for stage in STAGES}
        )
        return values


def _nested(stored: dict[str, Any] | None, posted: dict[str, Any]) -> dict[str, Any]:
    """A nested field after the form: a box left empty adds no key the record did not have, so that
    saving an untouched box does not count as an edit (nor mark its drafted figure as edited)."""
    merged = dict(stored or {})
    for key, value in posted.items():
        if value or key in merged:
            merged[key] = value
    return merged
