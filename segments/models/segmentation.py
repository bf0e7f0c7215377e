"""Segments, their versions and members, and the clustering models (segmentations) that make them."""

from django.conf import settings
from django.db import models

from config.models import TimestampedModel
from segments.models.audience import Profile


class Sensitivity(models.TextChoices):
    NORMAL = "normal", "Normal"
    SENSITIVE = "sensitive", "Sensitive"
    SPECIAL = "special", "Special category"


class Schedule(models.TextChoices):
    NEVER = "never", "Only when asked"
    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Every week"
    MONTHLY = "monthly", "Every month"


class Segmentation(TimestampedModel):
    """A clustering model of the audience: which features, which algorithm, how to choose k, and how
    often to re-cluster. Each run writes new versions of the segments it owns."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    config = models.JSONField(help_text="segments.ml.clustering.ClusteringConfig as a dict, seed included.")
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.NEVER)
    next_run_at = models.DateTimeField(null=True, blank=True)
    current_run = models.ForeignKey(
        "segments.ClusteringRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    size_change_alert = models.FloatField(
        default=0.2, help_text="Alert when a segment grows or shrinks by more."
    )
    psi_alert = models.FloatField(
        default=0.25, help_text="Alert when a feature's stability index exceeds this."
    )
    stability_alert = models.FloatField(
        default=0.6, help_text="Alert when a run's bootstrap ARI falls below."
    )

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ClusteringRun(models.Model):
    """One fit of a segmentation, with everything needed to repeat and explain it."""

    id = models.BigAutoField(primary_key=True)
    segmentation = models.ForeignKey(Segmentation, on_delete=models.CASCADE, related_name="runs")
    job = models.ForeignKey(
        "governance.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    config = models.JSONField(help_text="The exact settings used, seed included.")
    chosen_k = models.PositiveSmallIntegerField(null=True, blank=True)
    recommendation = models.JSONField(default=dict, help_text="The recommended k and the reasons given.")
    metrics = models.JSONField(
        default=dict, help_text="Per k: silhouette, Davies-Bouldin, Calinski-Harabasz, inertia."
    )
    stability = models.JSONField(default=dict, help_text="Bootstrap ARI, and ARI against the previous run.")
    projection = models.JSONField(
        default=dict, help_text="A sample of members in two dimensions, for the scatter."
    )
    lineage = models.JSONField(
        default=dict, help_text="Feature run, imports and code version behind the run."
    )
    profiles_used = models.BigIntegerField(default=0)
    outliers = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.segmentation} run {self.id}"


class SegmentKind(models.TextChoices):
    RULE = "rule", "Rules"
    CLUSTER = "cluster", "Cluster"


class Segment(TimestampedModel):
    """A named audience. Its members belong to its current version, switched in one transaction."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=SegmentKind.choices)
    sensitivity = models.CharField(max_length=10, choices=Sensitivity.choices, default=Sensitivity.NORMAL)
    sensitivity_reason = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    definition = models.JSONField(default=dict, blank=True, help_text="For rule segments: the rule tree.")
    segmentation = models.ForeignKey(
        Segmentation, null=True, blank=True, on_delete=models.CASCADE, related_name="segments"
    )
    cluster_key = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The segment's stable cluster identity within its segmentation."
    )
    current_version = models.ForeignKey(
        "segments.SegmentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refresh_schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.NEVER)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [
            ("view_members", "Can see who is in a sensitive segment"),
            ("share_members", "Can give and take back access to a sensitive segment's members"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["segmentation", "cluster_key"],
                name="segment_cluster_unique",
                condition=models.Q(segmentation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class SegmentVersion(models.Model):
    """A complete membership of a segment at one moment, with the facts that describe it."""

    id = models.BigAutoField(primary_key=True)
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=VersionStatus.choices, default=VersionStatus.BUILDING)
    run = models.ForeignKey(
        ClusteringRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="versions"
    )
    size = models.BigIntegerField(default=0)
    definition = models.JSONField(
        default=dict, blank=True, help_text="The rule tree as it was for this version."
    )
    card = models.JSONField(default=dict, blank=True, help_text="The segment profile card's facts.")
    lineage = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["segment", "number"], name="segment_version_number")]

    def __str__(self) -> str:
        return f"{self.segment} v{self.number}"


class SegmentMembership(models.Model):
    """One member of one version; written by COPY, never row by row.

    The database checks both references once per statement and deletes the memberships of deleted
    profiles and versions itself (triggers of migration 0009): a per-row foreign key doubled the
    time of writing a million memberships. There is no index by profile: look a person up through
    the versions (the primary key), as segments.selectors.profile_segments does."""

    pk = models.CompositePrimaryKey("version_id", "profile_id")
    version = models.ForeignKey(
        SegmentVersion,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="memberships",
    )
    profile = models.ForeignKey(
        Profile, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="memberships"
    )
    confidence = models.FloatField(
        default=1.0, help_text="1 for rule members; the cluster's certainty otherwise."
    )

    def __str__(self) -> str:
        return f"{self.profile_id} in version {self.version_id}"


class DriftAlert(models.Model):
    class Kind(models.TextChoices):
        SIZE = "size", "Size change"
        FEATURE = "feature", "Feature drift"
        STABILITY = "stability", "Low stability"
        RULES = "rules", "Rules changed"

    id = models.BigAutoField(primary_key=True)
    segmentation = models.ForeignKey(
        Segmentation, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    message = models.CharField(max_length=300)
    value = models.FloatField()
    threshold = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.message


class SensitiveAttribute(models.Model):
    """A profile field or feature whose use makes a segment sensitive (admins maintain the list)."""

    attribute = models.CharField(max_length=60, unique=True, help_text='A rule field name, e.g. "gender".')
    sensitivity = models.CharField(
        max_length=10, choices=[c for c in Sensitivity.choices if c[0] != Sensitivity.NORMAL]
    )
    reason = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.attribute} ({self.sensitivity})"


class BlockedSegmentTerm(models.Model):
    """A word segment names may not use: stigmatising labels that admins keep out."""

    term = models.CharField(max_length=60, unique=True)
    reason = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.term
