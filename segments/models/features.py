from django.contrib.postgres.fields import ArrayField
from django.db import models

from segments.models.audience import Profile


class RealField(models.FloatField):
    """A single-precision float (PostgreSQL real)."""

    def db_type(self, connection) -> str:
        return "real"


class ProfileFeatures(models.Model):
    """Per-profile features that segments read, written whole by the feature job (COPY)."""

    profile = models.OneToOneField(
        Profile, primary_key=True, on_delete=models.CASCADE, related_name="features"
    )
    computed_at = models.DateTimeField()
    recency_days = models.FloatField(null=True)
    frequency = models.IntegerField(default=0)
    monetary = models.FloatField(default=0)
    r_score = models.PositiveSmallIntegerField(null=True)
    f_score = models.PositiveSmallIntegerField(null=True)
    m_score = models.PositiveSmallIntegerField(null=True)
    rfm_group = models.CharField(max_length=20, blank=True)
    events_total = models.IntegerField(default=0)
    events_30d = models.IntegerField(default=0)
    weighted_engagement = models.FloatField(default=0)
    engagement_rate = models.FloatField(
        default=0, help_text="Weighted engagement, normalised across platforms."
    )
    decayed_activity = models.FloatField(default=0)
    posting_per_week = models.FloatField(default=0)
    response_latency_hours = models.FloatField(null=True)
    peak_hour = models.PositiveSmallIntegerField(null=True)
    peak_weekday = models.PositiveSmallIntegerField(null=True, help_text="0 is Monday.")
    top_format = models.CharField(max_length=20, blank=True)
    # Shares travel as real[], one place per key of FeatureShareKey: PostgreSQL takes a million rows of
    # them in a second less than as jsonb objects, whose every number it parses.
    channel_shares = ArrayField(
        RealField(), default=list, help_text="Share of weighted engagement per platform, by key position."
    )
    format_shares = ArrayField(RealField(), default=list, help_text="Share of events per content format.")
    clv_estimate = models.FloatField(default=0)
    sentiment = models.FloatField(null=True, help_text="Mean VADER compound score of the person's comments.")
    interests = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    bot_score = models.FloatField(default=0)
    is_bot = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "profile features"
        indexes = [models.Index(fields=["rfm_group"], name="features_rfm_group")]

    def __str__(self) -> str:
        return f"Features of {self.profile_id}"

    @property
    def channel_mix(self) -> dict[str, float]:
        """Share of weighted engagement per platform, e.g. {"instagram": 0.75, "x": 0.25}."""
        return FeatureShareKey.shares_named(SharedFeature.CHANNEL_MIX, self.channel_shares)

    @property
    def format_affinity(self) -> dict[str, float]:
        """Share of events per content format."""
        return FeatureShareKey.shares_named(SharedFeature.FORMAT_AFFINITY, self.format_shares)


class SharedFeature(models.TextChoices):
    CHANNEL_MIX = "channel_mix", "Channel mix"
    FORMAT_AFFINITY = "format_affinity", "Format affinity"


# Each shared feature's array column in ProfileFeatures.
SHARE_ARRAYS = {SharedFeature.CHANNEL_MIX: "channel_shares", SharedFeature.FORMAT_AFFINITY: "format_shares"}


class FeatureShareKey(models.Model):
    """The key (a platform, a content format) behind each place of a features share array.

    Keys are only ever added, so a place means the same key for every row ever written."""

    feature = models.CharField(max_length=20, choices=SharedFeature.choices)
    position = models.PositiveSmallIntegerField(help_text="0-based place in the feature's array.")
    name = models.CharField(max_length=20)

    class Meta:
        ordering = ["feature", "position"]
        constraints = [
            models.UniqueConstraint(fields=["feature", "name"], name="share_key_name_once"),
            models.UniqueConstraint(fields=["feature", "position"], name="share_key_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.feature}[{self.position}] = {self.name}"

    @classmethod
    def shares_named(cls, feature: str, shares: list[float]) -> dict[str, float]:
        """The positive shares of an array by key name, largest first, rounded as the job computes
        them (permille)."""
        if not any(share > 0 for share in shares):
            return {}
        names = dict(cls.objects.filter(feature=feature).values_list("position", "name"))
        ranked = sorted((share, place) for place, share in enumerate(shares) if share > 0)
        return {names[place]: round(share, 3) for share, place in reversed(ranked)}


class FeatureSettings(models.Model):
    """The knobs marketers and admins turn; one row (id 1)."""

    engagement_weights = models.JSONField(default=dict, help_text="Weight per event type.")
    half_life_days = models.FloatField(default=30)
    bot_threshold = models.FloatField(default=0.8)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Feature settings"


class InterestTopic(models.Model):
    """A node of the interest taxonomy: a topic and the hashtags and keywords that signal it."""

    name = models.CharField(max_length=60, unique=True)
    keywords = ArrayField(models.CharField(max_length=60), default=list, help_text="Lower-case, without #.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FeatureRun(models.Model):
    """One feature computation: when, over which data, and the stability of each feature (PSI)."""

    id = models.BigAutoField(primary_key=True)
    job = models.ForeignKey("governance.Job", null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    profiles = models.BigIntegerField(default=0)
    settings_used = models.JSONField(default=dict)
    stability = models.JSONField(default=dict, help_text="Population stability index per feature.")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Feature run {self.id}"
