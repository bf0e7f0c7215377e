from django.conf import settings
from django.db import models

from segments.models.audience import IdentityKind, Profile


class IdentifierPolicy(models.Model):
    """Which identifiers merge profiles deterministically, in which order (admins configure it)."""

    kind = models.CharField(max_length=20, choices=IdentityKind.choices, unique=True)
    priority = models.PositiveSmallIntegerField(help_text="Lower numbers are trusted first.")
    merges = models.BooleanField(default=True, help_text="Profiles sharing this identifier are one person.")

    class Meta:
        ordering = ["priority"]
        verbose_name_plural = "identifier policies"

    def __str__(self) -> str:
        return f"{self.priority}. {self.get_kind_display()}"


class BlockedIdentifier(models.Model):
    """A value never used to merge (test@example.com, 0000000000): placeholders many people share."""

    kind = models.CharField(max_length=20, choices=IdentityKind.choices)
    value = models.CharField(max_length=254)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="blocked_identifier_unique")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class ProfileMerge(models.Model):
    """One merge: `absorbed` now resolves to `survivor`. Undoing it restores every pointer it moved."""

    class Method(models.TextChoices):
        DETERMINISTIC = "deterministic", "Shared identifier"
        REVIEWED = "reviewed", "Reviewed candidate"

    id = models.BigAutoField(primary_key=True)
    survivor = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="merges_won")
    absorbed = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="merges_lost")
    method = models.CharField(max_length=15, choices=Method.choices)
    evidence = models.JSONField(default=dict, help_text="The identifier or the scores behind the merge.")
    repointed_ids = models.JSONField(
        default=list, help_text="Profiles that pointed at `absorbed` and were moved to `survivor`."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.survivor_id} ({self.method})"


class MatchCandidate(models.Model):
    """A probable match above the review threshold, waiting for a person to decide."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Merged"
        REJECTED = "rejected", "Not the same person"

    id = models.BigAutoField(primary_key=True)
    profile_a = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")
    profile_b = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    evidence = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["profile_a", "profile_b"], name="candidate_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(profile_a__lt=models.F("profile_b")), name="candidate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="candidate_queue")]

    def __str__(self) -> str:
        return f"{self.profile_a_id} ~ {self.profile_b_id} ({self.score:.2f})"
