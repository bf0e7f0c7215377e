from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from segments.models import Event, EventType


def campaign_activity_by_day(*, start: datetime, end: datetime) -> QuerySet:
    """Per campaign code and day: clicks and purchases that carried the code."""
    return (
        Event.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
        .exclude(campaign_code="")
        .annotate(day=TruncDate("occurred_at"))
        .values("campaign_code", "day")
        .annotate(
            clicks=Count("id", filter=Q(event_type=EventType.CLICK)),
            purchases=Count("id", filter=Q(event_type=EventType.PURCHASE)),
        )
        .order_by("day", "campaign_code")
    )
