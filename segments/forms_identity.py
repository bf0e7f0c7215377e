from django import forms

from segments.identity_selectors import PolicyRow
from segments.models import IdentityKind
from segments.services.identity_settings import PolicyChoice


class BlockedIdentifierForm(forms.Form):
    kind = forms.ChoiceField(choices=IdentityKind.choices, label="Kind of identifier")
    value = forms.CharField(max_length=254, help_text="Stored normalised, as imports store identities.")
    region = forms.CharField(
        max_length=2,
        initial="GB",
        label="Country for phone numbers",
        help_text="Two letters; reads a phone number written without a country code.",
    )
    reason = forms.CharField(max_length=200, required=False)

    def clean_region(self) -> str:
        return self.cleaned_data["region"].upper()


class IdentifierPolicyForm(forms.Form):
    """One priority and one "merges" box per identifier kind."""

    def __init__(self, *args, policies: list[PolicyRow], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.policies = policies
        for policy in policies:
            self.fields[f"priority_{policy.kind}"] = forms.IntegerField(
                min_value=1, max_value=99, initial=policy.priority, label=f"{policy.label}: priority"
            )
            self.fields[f"merges_{policy.kind}"] = forms.BooleanField(
                required=False, initial=policy.merges, label=f"{policy.label}: merges profiles"
            )

    def rows(self) -> list[tuple[PolicyRow, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"priority_{p.kind}"], self[f"merges_{p.kind}"]) for p in self.policies]

    def choices(self) -> list[PolicyChoice]:
        return [
            PolicyChoice(
                kind=policy.kind,
                priority=self.cleaned_data[f"priority_{policy.kind}"],
                merges=self.cleaned_data[f"merges_{policy.kind}"],
            )
            for policy in self.policies
        ]
