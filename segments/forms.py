from django import forms

from segments.services.demo_jobs import MAX_DEMO_EVENTS, MAX_DEMO_PROFILES


class DemoDataForm(forms.Form):
    profiles = forms.IntegerField(min_value=1, max_value=MAX_DEMO_PROFILES, initial=20_000)
    events = forms.IntegerField(
        min_value=0, max_value=MAX_DEMO_EVENTS, initial=200_000, help_text="Engagement and purchase events."
    )
    seed = forms.IntegerField(initial=7, help_text="The same seed gives the same company.")
    replace = forms.BooleanField(required=False, label="Replace the demo company if it is already loaded")
