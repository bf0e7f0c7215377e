"""The small forms on a persona page: quotes, validations and the lifecycle actions."""

from django import forms

from personas.models import Quote, Validation


class QuoteForm(forms.ModelForm):
    class Meta:
        model = Quote
        fields = ["text", "source", "said_on", "consent_confirmed"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "said_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"said_on": "Said on", "consent_confirmed": "The person agreed to their words being used"}


class ValidationForm(forms.ModelForm):
    link = forms.URLField(required=False, assume_scheme="https", help_text="Where the findings are kept.")

    class Meta:
        model = Validation
        fields = ["kind", "title", "held_on", "outcome", "link"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"held_on": "Held on"}


class PublishRequestForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Note for the approver",
        max_length=1000,
    )


class RetireForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why retire it?")


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=None, label="Merge into", empty_label=None)

    def __init__(self, *args, targets, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets


class ReassignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=None, label="New owner", empty_label=None)

    def __init__(self, *args, owners, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda user: user.display_name
