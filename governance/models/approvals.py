from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ApprovalRequest(models.Model):
    """A request that someone with the right to decide approve an action on any object (publish a
    persona, send a campaign, activate a sensitive segment). Governance knows the object only by its
    content type; the owning app acts on the decision (see governance.approvals)."""

    id = models.BigAutoField(primary_key=True)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(max_length=255)
    action = models.CharField(max_length=40, help_text='What approval allows, e.g. "publish".')
    approver_permission = models.CharField(max_length=100, help_text="Who may decide: a permission name.")
    note = models.TextField(blank=True, help_text="What the requester wants the approver to know.")
    status = models.CharField(max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # One open request per object and action: a second click does not queue a duplicate.
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "action"],
                condition=Q(status="pending"),
                name="approval_one_pending_per_action",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="approval_not_by_requester",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="approval_queue")]

    def __str__(self) -> str:
        return f"{self.action} {self.subject_label} ({self.get_status_display()})"
