from django.db import models


class ErasureTombstone(models.Model):
    """What is left of an erased person: salted hashes of their identifiers, so that a later import
    of the same person is refused instead of bringing them back."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=20)
    identifier_hash = models.CharField(max_length=64)
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "identifier_hash"], name="tombstone_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.identifier_hash[:12]}…"


class RetentionPolicy(models.Model):
    """How long a kind of data is kept; a nightly job deletes what is older."""

    class DataKind(models.TextChoices):
        EVENTS = "events", "Events"
        IMPORT_FILES = "import_files", "Uploaded import files"
        REJECTED_ROWS = "rejected_rows", "Rejected import rows"
        MATCH_CANDIDATES = "match_candidates", "Merged match candidates (rejections are kept)"

    data_kind = models.CharField(max_length=20, choices=DataKind.choices, unique=True)
    keep_days = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "retention policies"

    def __str__(self) -> str:
        return f"{self.get_data_kind_display()}: {self.keep_days} days"
