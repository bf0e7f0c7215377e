from django import forms

from segments.models import ConsentPurpose
from segments.services.demo_jobs import MAX_DEMO_EVENTS, MAX_DEMO_PROFILES


class DemoDataForm(forms.Form):
    profiles = forms.IntegerField(min_value=1, max_value=MAX_DEMO_PROFILES, initial=20_000)
    events = forms.IntegerField(
        min_value=0, max_value=MAX_DEMO_EVENTS, initial=200_000, help_text="Engagement and purchase events."
    )
    seed = forms.IntegerField(initial=7, help_text="The same seed gives the same company.")
    replace = forms.BooleanField(required=False, label="Replace the demo company if it is already loaded")


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(choices=ConsentPurpose.choices)
    granted = forms.BooleanField(required=False)
    expires_at = forms.DateTimeField(required=False)


class ErasureForm(forms.Form):
    confirm = forms.CharField(label="Type ERASE to confirm", help_text="This cannot be undone.")
    reason = forms.CharField(max_length=200, required=False, label="Reason or request reference")

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip() != "ERASE":
            raise forms.ValidationError("Type ERASE in capitals to confirm the erasure.")
        return "ERASE"
