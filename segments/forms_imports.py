from django import forms

from segments.importing.mapping import EVENT_KINDS, TYPE_LABELS, targets_for
from segments.models import DataSource, EventType, Platform, RecordKind, SourceKind


class DataSourceForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=SourceKind.choices, label="Kind of source")
    platform = forms.ChoiceField(choices=Platform.choices)
    default_region = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        initial="GB",
        max_length=2,
        label="Country for phone numbers",
        help_text="Two letters (GB, FR, US): phone numbers without a country code are read as from here.",
    )


class ImportUploadForm(forms.Form):
    record_kind = forms.ChoiceField(choices=RecordKind.choices, label="What the file holds")
    file = forms.FileField(
        help_text=(
            "CSV (any delimiter; UTF-8, UTF-16 or Windows-1252), Excel .xlsx, JSON lines, "
            "or a JSON list of records."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,.jsonl,.json,.ndjson"}),
    )


class ImportMappingForm(forms.Form):
    """One row of choices per column of the file: the field it fills, how to read it, and for
    dates their format; for event files, a default event type and whose customer ids they use."""

    def __init__(self, *args, run, **kwargs):
        super().__init__(*args, **kwargs)
        self.run = run
        targets = targets_for(run.record_kind)
        field_choices = [("", "— ignore this column —")] + [
            (name, target.label) for name, target in targets.items()
        ]
        kinds = sorted({kind for target in targets.values() for kind in target.types})
        type_choices = [("", "As the field expects")] + [(kind, TYPE_LABELS[kind]) for kind in kinds]
        self.headers = run.mapping.get("headers") or list(run.mapping.get("columns", {}))
        for index, header in enumerate(self.headers):
            spec = run.mapping["columns"][header]
            self.fields[f"field_{index}"] = forms.ChoiceField(
                choices=field_choices,
                required=False,
                initial=spec.get("field", ""),
                label=f"Field for “{header}”",
            )
            self.fields[f"type_{index}"] = forms.ChoiceField(
                choices=type_choices,
                required=False,
                initial=spec.get("type", ""),
                label=f"How to read “{header}”",
            )
            self.fields[f"format_{index}"] = forms.CharField(
                required=False,
                max_length=40,
                initial=spec.get("date_format", ""),
                label=f"Date format of “{header}”",
            )
        if run.record_kind in EVENT_KINDS:
            self.fields["event_type"] = forms.ChoiceField(
                choices=[("", "From a column (or the usual one for this kind)"), *EventType.choices],
                required=False,
                initial=run.mapping.get("event_type", ""),
                label="Event type for every row",
            )
            others = [(source.id, source.name) for source in DataSource.objects.order_by("name")]
            self.fields["profile_source_id"] = forms.TypedChoiceField(
                choices=[("", f"This source ({run.source.name})"), *others],
                coerce=int,
                empty_value=None,
                required=False,
                initial=run.mapping.get("profile_source_id") or "",
                label="Customer ids refer to the profiles of",
            )

    def mapping(self) -> dict:
        columns = {}
        for index, header in enumerate(self.headers):
            field = self.cleaned_data[f"field_{index}"]
            kind = self.cleaned_data[f"type_{index}"]
            if field and not kind:
                kind = targets_for(self.run.record_kind)[field].types[0]
            note = self.run.mapping["columns"][header].get("note", "")
            columns[header] = {
                "field": field,
                "type": kind if field else "",
                "date_format": self.cleaned_data[f"format_{index}"].strip(),
                "note": note,
            }
        return {
            "columns": columns,
            "event_type": self.cleaned_data.get("event_type", ""),
            "profile_source_id": self.cleaned_data.get("profile_source_id"),
        }

    def rows(self, samples: dict[str, list[str]]) -> list[dict]:
        return [
            {
                "header": header,
                "samples": samples.get(header, []),
                "note": self.run.mapping["columns"][header].get("note", ""),
                "field": self[f"field_{index}"],
                "type": self[f"type_{index}"],
                "format": self[f"format_{index}"],
            }
            for index, header in enumerate(self.headers)
        ]
