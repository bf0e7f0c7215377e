import re

from django import forms

from segments.models import EventType
from segments.services.features import interest_keywords_clean


class FeatureSettingsForm(forms.Form):
    """Engagement weight per event type, the decay half-life and the bot threshold."""

    half_life_days = forms.FloatField(
        label="Half-life of activity (days)",
        min_value=0.5,
        max_value=3650,
        help_text="An event this many days old counts half as much as one today.",
    )
    bot_threshold = forms.FloatField(
        label="Bot threshold",
        min_value=0,
        max_value=1,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
        help_text="Profiles scoring at least this are excluded from segments and KPIs as bots.",
    )

    def __init__(self, *args, weights: dict[str, float], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for event_type in EventType:
            self.fields[f"weight_{event_type.value}"] = forms.FloatField(
                label=f"Weight of a {event_type.label.lower()}",
                min_value=0,
                max_value=100,
                initial=weights.get(event_type.value, 0.0),
                widget=forms.NumberInput(attrs={"step": "0.1"}),
            )

    def weights(self) -> dict[str, float]:
        return {
            name.removeprefix("weight_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("weight_")
        }


class InterestTopicForm(forms.Form):
    name = forms.CharField(label="Topic", max_length=60)
    keywords = forms.CharField(
        label="Keywords and hashtags",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Single words, separated by commas or spaces; # is optional (#ootd, fashion).",
    )

    def clean_keywords(self) -> list[str]:
        words = [word for word in re.split(r"[,\s]+", self.cleaned_data["keywords"]) if word]
        try:
            return interest_keywords_clean(words)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
