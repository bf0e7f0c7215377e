from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.utils import timezone

from config.models import TimestampedModel


class SourceKind(models.TextChoices):
    CRM = "crm", "CRM"
    SOCIAL = "social", "Social platform"
    WEB = "web", "Web analytics"
    EMAIL = "email", "Email"
    SURVEY = "survey", "Survey"
    ADS = "ads", "Ads"


class Platform(models.TextChoices):
    CRM = "crm", "CRM"
    SHOP = "shop", "Web shop"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X"
    LINKEDIN = "linkedin", "LinkedIn"
    TIKTOK = "tiktok", "TikTok"
    EMAIL = "email", "Email"
    WEB = "web", "Website"


class IdentityKind(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    INSTAGRAM = "instagram", "Instagram handle"
    X = "x", "X handle"
    LINKEDIN = "linkedin", "LinkedIn handle"
    TIKTOK = "tiktok", "TikTok handle"
    CRM_ID = "crm_id", "CRM id"


class EventType(models.TextChoices):
    VIEW = "view", "View"
    LIKE = "like", "Like"
    COMMENT = "comment", "Comment"
    SHARE = "share", "Share"
    SAVE = "save", "Save"
    CLICK = "click", "Click"
    FOLLOW = "follow", "Follow"
    PURCHASE = "purchase", "Purchase"
    MESSAGE = "message", "Message"
    PAGE_VIEW = "page_view", "Page view"
    EMAIL_OPEN = "email_open", "Email open"
    EMAIL_CLICK = "email_click", "Email click"


class ConsentPurpose(models.TextChoices):
    MARKETING = "marketing", "Marketing"
    PERSONALISATION = "personalisation", "Personalisation"
    ANALYTICS = "analytics", "Analytics"


class DataSource(TimestampedModel):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=SourceKind.choices)
    platform = models.CharField(max_length=20, choices=Platform.choices)
    default_region = models.CharField(max_length=2, default="GB", help_text="For reading phone numbers.")

    class Meta:
        permissions = [("generate_demo_data", "Can generate the demo company")]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """One person as the product knows them."""

    id = models.BigAutoField(primary_key=True)
    # Found through profile_unique_per_source, which leads with the source; checked by a trigger
    # (segments migration 0012).
    source = models.ForeignKey(
        DataSource, on_delete=models.PROTECT, db_constraint=False, db_index=False, related_name="profiles"
    )
    external_id = models.CharField(max_length=100, help_text="The person's key in the source.")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True)
    created_at = models.DateTimeField()
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="absorbed",
        help_text="Set when identity resolution found this to be the same person as another profile.",
        db_index=False,  # profile_merged_into holds the few profiles that have it
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="profile_unique_per_source"),
        ]
        permissions = [
            ("erase_profile", "Can erase a person (right to be forgotten)"),
            ("export_profile", "Can export everything held on a person"),
        ]
        indexes = [
            models.Index(
                fields=["merged_into"],
                name="profile_merged_into",
                condition=models.Q(merged_into__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.audit_label

    @property
    def audit_label(self) -> str:
        return f"Profile {self.pk}"


class Identity(models.Model):
    """An identifier of a person on a platform, normalised (lower-cased email, E.164 phone)."""

    id = models.BigAutoField(primary_key=True)
    # Indexed by identity_unique_per_profile, whose first column it is. Checked, and deleted with
    # its profile, by triggers (segments migration 0012).
    profile = models.ForeignKey(
        Profile, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="identities"
    )
    kind = models.CharField(max_length=20, choices=IdentityKind.choices)
    value = models.CharField(max_length=254)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(fields=["profile", "kind", "value"], name="identity_unique_per_profile"),
        ]
        indexes = [models.Index(fields=["kind", "value"], name="identity_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Event(models.Model):
    """Something a person did: engagement on a platform, a click, a purchase."""

    id = models.BigAutoField(primary_key=True)
    # Indexed by event_profile_time, whose first column it is; its own index only slowed every write.
    # Both references are checked once per statement, and the database deletes the events of deleted
    # profiles itself (triggers of migrations 0009 and 0010): per-row foreign keys slowed imports.
    profile = models.ForeignKey(
        Profile, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="events"
    )
    source = models.ForeignKey(
        DataSource, on_delete=models.PROTECT, db_constraint=False, related_name="events"
    )
    platform = models.CharField(max_length=20, choices=Platform.choices)
    event_type = models.CharField(max_length=20, choices=EventType.choices)
    occurred_at = models.DateTimeField()
    # NULL, not "", for events without a key: only keyed events take part in the unique constraint.
    external_id = models.CharField(  # noqa: DJ001
        max_length=100,
        null=True,
        blank=True,
        help_text="The event's key in its source; imports dedupe on it.",
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField(blank=True)
    content_format = models.CharField(max_length=20, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    campaign_code = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["profile", "occurred_at"], name="event_profile_time"),
            models.Index(
                fields=["campaign_code"], name="event_campaign", condition=~models.Q(campaign_code="")
            ),
            BrinIndex(fields=["occurred_at"], name="event_time_brin"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                name="event_unique_per_source",
                condition=models.Q(external_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} on {self.platform} at {self.occurred_at:%Y-%m-%d %H:%M}"


class Consent(models.Model):
    """What a person agreed to, for one purpose, as recorded by a source."""

    id = models.BigAutoField(primary_key=True)
    # Indexed by consent_one_per_purpose, whose first column it is. Both keys are checked, and
    # consents deleted with their profile, by triggers (segments migration 0012).
    profile = models.ForeignKey(
        Profile, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="consents"
    )
    purpose = models.CharField(max_length=20, choices=ConsentPurpose.choices)
    granted = models.BooleanField()
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, db_constraint=False, related_name="+")
    recorded_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "purpose"], name="consent_one_per_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {'granted' if self.granted else 'refused'}"

    @property
    def is_active(self) -> bool:
        return self.granted and (self.expires_at is None or self.expires_at > timezone.now())
