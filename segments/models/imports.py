from django.conf import settings
from django.db import models

from config.models import TimestampedModel
from segments.models.audience import DataSource


class RecordKind(models.TextChoices):
    PROFILES = "profiles", "Profiles"
    EVENTS = "events", "Events (engagement, web, email)"
    TRANSACTIONS = "transactions", "Transactions"
    COMMENTS = "comments", "Comments and messages"


class ImportMapping(TimestampedModel):
    """How a source's files map onto the product's fields, kept for the next upload.

    `columns` maps each header to {"field": target field or "", "type": ..., "date_format": ...}."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="mappings")
    record_kind = models.CharField(max_length=20, choices=RecordKind.choices)
    columns = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "record_kind"], name="mapping_one_per_source_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.source} · {self.get_record_kind_display()}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ImportRun(TimestampedModel):
    """One uploaded file (or API batch) and what became of every row in it.

    Once finished: inserted + updated + unchanged + rejected = total_rows."""

    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="imports")
    record_kind = models.CharField(max_length=20, choices=RecordKind.choices)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255)
    size_bytes = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    file_format = models.CharField(max_length=10, blank=True)
    encoding = models.CharField(max_length=30, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    job = models.ForeignKey(
        "governance.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    total_rows = models.BigIntegerField(default=0)
    inserted_rows = models.BigIntegerField(default=0)
    updated_rows = models.BigIntegerField(default=0)
    unchanged_rows = models.BigIntegerField(default=0)
    rejected_rows = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.original_name} → {self.source}"

    @property
    def accounted_rows(self) -> int:
        return self.inserted_rows + self.updated_rows + self.unchanged_rows + self.rejected_rows


class RejectedRow(models.Model):
    """A row an import could not take, with where and why, for the marketer to download and fix."""

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.BigIntegerField(help_text="1 is the first data row after the header.")
    column = models.CharField(max_length=255, blank=True)
    value = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["run", "row_number"]
        indexes = [models.Index(fields=["run", "row_number"], name="rejected_row_run")]

    def __str__(self) -> str:
        return f"row {self.row_number}, {self.column}: {self.reason}"
