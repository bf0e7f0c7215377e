"""The segmentation form: what to cluster on, how, when to re-cluster, and when to raise alerts.
Its settings become a ClusteringConfig; the form's own checks are the config's."""

from django import forms

from segments.ml.clustering_config import (
    ALGORITHMS,
    CATEGORY_FEATURES,
    CYCLIC_FEATURES,
    NUMERIC_FEATURES,
    SHARE_FEATURES,
    ClusteringConfig,
)
from segments.ml.feature_words import feature_noun
from segments.models import ConsentPurpose, Schedule, Segmentation

PRESET_LABELS = {
    "rfm": "RFM: recency, frequency, spend, lifetime value",
    "engagement": "Engagement: interactions, activity, posting, reply time",
    "channel_mix": "Channel mix: share of engagement per platform",
    "interests": "Interests: the most common topics",
}
ALGORITHM_LABELS = {
    "kmeans": "k-means",
    "gmm": "Gaussian mixture (soft membership)",
    "dbscan": "DBSCAN (finds its own number of groups; the rest are outliers)",
    "agglomerative": "Hierarchical (ward, on micro-clusters; the rest assigned)",
}
FEATURE_CHOICES = [
    (name, feature_noun(name).capitalize())
    for name in (*NUMERIC_FEATURES, *SHARE_FEATURES, "interests", *CATEGORY_FEATURES, *CYCLIC_FEATURES)
]
THRESHOLDS = ("size_change_alert", "psi_alert", "stability_alert")


class SegmentationForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    preset = forms.ChoiceField(
        choices=[("", "None: only the features ticked below"), *PRESET_LABELS.items()],
        required=False,
        help_text="A starting set of features. Ticked features below replace the preset's.",
    )
    features = forms.MultipleChoiceField(
        choices=FEATURE_CHOICES, required=False, widget=forms.CheckboxSelectMultiple, label="Features"
    )
    scaling = forms.ChoiceField(
        choices=[
            ("standard", "Standard (mean and standard deviation)"),
            ("robust", "Robust (median and IQR)"),
        ]
    )
    log_transform = forms.BooleanField(
        required=False, initial=True, label="Tame skewed counts and money (log)"
    )
    pca_components = forms.IntegerField(
        required=False,
        min_value=2,
        label="PCA components",
        help_text="Leave empty to cluster the features as they are.",
    )
    algorithm = forms.ChoiceField(choices=[(name, ALGORITHM_LABELS[name]) for name in ALGORITHMS])
    k = forms.IntegerField(
        required=False,
        min_value=2,
        label="Fixed number of segments",
        help_text="Leave empty to let the product choose k.",
    )
    k_min = forms.IntegerField(min_value=2, initial=2, label="Try k from")
    k_max = forms.IntegerField(min_value=2, initial=10, label="to")
    min_segment_size = forms.IntegerField(
        min_value=1,
        initial=100,
        label="Smallest segment",
        help_text="Smaller clusters are merged into their nearest neighbour (DBSCAN: marked outliers); "
        "they are never published.",
    )
    exclude_bots = forms.BooleanField(required=False, initial=True, label="Leave out profiles scored as bots")
    consent_purpose = forms.ChoiceField(
        choices=[("", "Everyone"), *ConsentPurpose.choices],
        required=False,
        label="Only people who consented to",
    )
    random_state = forms.IntegerField(
        min_value=0,
        initial=0,
        label="Seed",
        help_text="The same seed, settings and data give the same segments.",
    )
    schedule = forms.ChoiceField(choices=Schedule.choices, label="Re-cluster")
    size_change_alert = forms.FloatField(
        min_value=0, initial=0.2, label="Alert when a segment's size changes by more than (0.2 = 20%)"
    )
    psi_alert = forms.FloatField(
        min_value=0, initial=0.25, label="Alert when a feature's distribution moves more than (PSI)"
    )
    stability_alert = forms.FloatField(
        min_value=0, max_value=1, initial=0.6, label="Alert when stability (bootstrap ARI) falls below"
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.config = ClusteringConfig.from_dict(
                {
                    "features": cleaned["features"],
                    "preset": cleaned["preset"] or None,
                    "scaling": cleaned["scaling"],
                    "log_transform": cleaned["log_transform"],
                    "pca_components": cleaned["pca_components"],
                    "algorithm": cleaned["algorithm"],
                    "k": cleaned["k"],
                    "k_min": cleaned["k_min"],
                    "k_max": cleaned["k_max"],
                    "min_segment_size": cleaned["min_segment_size"],
                    "exclude_bots": cleaned["exclude_bots"],
                    "consent_purpose": cleaned["consent_purpose"] or None,
                    "random_state": cleaned["random_state"],
                }
            )
        except ValueError as wrong:
            raise forms.ValidationError(f"These settings cannot be used: {wrong}.") from wrong
        return cleaned

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "config": self.config,
            "schedule": data["schedule"],
            "thresholds": {name: data[name] for name in THRESHOLDS},
        }

    @classmethod
    def initial_for(cls, segmentation: Segmentation) -> dict:
        config = segmentation.config
        return {
            **{
                name: config.get(name)
                for name in ClusteringConfig.__dataclass_fields__
                if name in cls.base_fields
            },
            "preset": config.get("preset") or "",
            "consent_purpose": config.get("consent_purpose") or "",
            "name": segmentation.name,
            "description": segmentation.description,
            "schedule": segmentation.schedule,
            **{name: getattr(segmentation, name) for name in THRESHOLDS},
        }
