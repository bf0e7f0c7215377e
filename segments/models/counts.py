from django.db import models


class RowCount(models.Model):
    """Row counts of the big tables, kept by statement-level triggers (see migration 0002), so pages
    show counts without a COUNT(*) over millions of rows."""

    table_name = models.CharField(max_length=63, primary_key=True)
    rows = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.table_name}: {self.rows}"


class EventDailyCount(models.Model):
    """Events per day and type, kept by a statement-level trigger on the events table."""

    day = models.DateField()
    event_type = models.CharField(max_length=20)
    events = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "event_type"], name="event_daily_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.event_type}: {self.events}"
