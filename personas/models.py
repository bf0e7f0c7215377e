"""A persona is a living record tied to the segments and evidence that justify it."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse

from config.models import TimestampedModel
from segments.models import Profile, Segment


class PersonaStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"
    MERGED = "merged", "Merged"


class Persona(TimestampedModel):
    name = models.CharField(max_length=120)
    summary = models.CharField(max_length=300, blank=True, help_text="One line.")
    bio = models.TextField(blank=True)
    demographics_summary = models.TextField(blank=True)
    goals = models.JSONField(default=list, blank=True)
    challenges = models.JSONField(default=list, blank=True, help_text="Challenges and pain points.")
    motivations = models.JSONField(default=list, blank=True)
    objections = models.JSONField(default=list, blank=True)
    decision_triggers = models.JSONField(default=list, blank=True)
    jobs_to_be_done = models.JSONField(
        default=dict, blank=True, help_text='{"functional": [...], "social": [...], "emotional": [...]}'
    )
    preferred_channels = models.JSONField(
        default=list, blank=True, help_text='Ranked: [{"channel": "instagram", "share": 0.42}, ...]'
    )
    content_preferences = models.JSONField(
        default=dict, blank=True, help_text='{"tone", "formats", "frequency", "best_days", "best_hours"}'
    )
    journey_notes = models.JSONField(
        default=dict, blank=True, help_text='{"awareness", "consideration", "decision", "retention"}'
    )
    crm_tags = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    evidence = models.JSONField(
        default=dict, blank=True, help_text="Per field: the figure it came from and where (segment, version)."
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="personas")
    status = models.CharField(max_length=10, choices=PersonaStatus.choices, default=PersonaStatus.DRAFT)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retired_reason = models.CharField(max_length=300, blank=True)
    refresh_cycle_days = models.PositiveIntegerField(default=90)
    next_review_on = models.DateField(null=True, blank=True)
    priority = models.PositiveIntegerField(
        default=100, help_text="Lower wins: decides the primary persona of a person in several personas."
    )
    segments = models.ManyToManyField(Segment, through="PersonaSegment", related_name="personas", blank=True)

    class Meta:
        ordering = ["priority", "name"]
        permissions = [("approve_persona", "Can approve publishing a persona")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("personas:persona_detail", args=[self.pk])


class PersonaSegment(models.Model):
    persona = models.ForeignKey(Persona, on_delete=models.CASCADE)
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE)
    linked_at = models.DateTimeField(auto_now_add=True)
    size_when_linked = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["persona", "segment"], name="persona_segment_unique")]

    def __str__(self) -> str:
        return f"{self.persona} ← {self.segment}"


class Quote(models.Model):
    class Source(models.TextChoices):
        INTERVIEW = "interview", "Interview"
        SURVEY = "survey", "Survey"
        SUPPORT_LOG = "support_log", "Support log"
        SOCIAL_COMMENT = "social_comment", "Social comment"

    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField()
    source = models.CharField(max_length=20, choices=Source.choices)
    said_on = models.DateField(null=True, blank=True)
    consent_confirmed = models.BooleanField(
        default=False, help_text="The person agreed to their words being used."
    )
    profile = models.ForeignKey(
        Profile,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="For social comments: whose words these are (erasure removes the quote with them).",
    )
    is_candidate = models.BooleanField(
        default=False, help_text="Suggested from data, not yet kept by a marketer."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.text[:60]


class Validation(models.Model):
    """Evidence that checks a persona against reality: an interview round, a survey, a test."""

    class Kind(models.TextChoices):
        INTERVIEWS = "interviews", "Interviews"
        SURVEY = "survey", "Survey"
        TEST = "test", "Test or experiment"

    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="validations")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    outcome = models.TextField(blank=True)
    link = models.URLField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title


class PersonaVersion(models.Model):
    """A snapshot taken at each saved change, so the history reads as a diff."""

    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    change_summary = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["persona", "number"], name="persona_version_number")]

    def __str__(self) -> str:
        return f"{self.persona} v{self.number}"


class PrimaryPersona(models.Model):
    """Each person's primary persona, decided by persona priority when they are in several."""

    profile = models.OneToOneField(
        Profile, primary_key=True, on_delete=models.CASCADE, related_name="primary_persona"
    )
    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="primary_members")
    assigned_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["persona"], name="primary_persona_persona")]

    def __str__(self) -> str:
        return f"{self.profile_id} → {self.persona_id}"


class StaleFlag(models.Model):
    """Why a persona's evidence is out of date; cleared when the owner reviews it."""

    class Reason(models.TextChoices):
        SEGMENT_DRIFT = "segment_drift", "A linked segment changed"
        REVIEW_DUE = "review_due", "The review date passed"

    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="stale_flags")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=300)
    raised_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return self.detail
