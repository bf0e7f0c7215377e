from django import forms
from django.contrib.contenttypes.models import ContentType

from governance.models import AuditEntry


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, label="User name")
    action = forms.CharField(required=False, label="Action starts with")
    subject_type = forms.ModelChoiceField(
        queryset=ContentType.objects.none(), required=False, label="Kind of object"
    )
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        used = AuditEntry.objects.exclude(subject_type=None).values("subject_type").distinct()
        self.fields["subject_type"].queryset = ContentType.objects.filter(id__in=used).order_by("model")
