from datetime import date, timedelta

from django.db.models import Sum

from governance.models import Job, JobStatus
from segments.models import EventDailyCount
from segments.selectors import table_row_counts


def dashboard_counts() -> dict[str, int]:
    rows = table_row_counts()
    return {
        "profiles": rows.get("segments_profile", 0),
        "identities": rows.get("segments_identity", 0),
        "events": rows.get("segments_event", 0),
        "jobs_running": Job.objects.filter(status=JobStatus.RUNNING).count(),
    }


def daily_event_series(*, days: int = 60, today: date | None = None) -> dict:
    """Events per day and type over the last `days` days that have data, for a stacked chart."""
    last_day = today or EventDailyCount.objects.order_by("-day").values_list("day", flat=True).first()
    if last_day is None:
        return {"labels": [], "series": {}}
    first_day = last_day - timedelta(days=days - 1)
    rows = (
        EventDailyCount.objects.filter(day__range=(first_day, last_day))
        .values("day", "event_type")
        .annotate(events=Sum("events"))
    )
    labels = [(first_day + timedelta(days=offset)).isoformat() for offset in range(days)]
    position = {label: index for index, label in enumerate(labels)}
    series: dict[str, list[int]] = {}
    for row in rows:
        counts = series.setdefault(row["event_type"], [0] * days)
        counts[position[row["day"].isoformat()]] = row["events"]
    return {"labels": labels, "series": dict(sorted(series.items()))}
