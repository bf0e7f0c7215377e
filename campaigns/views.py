from datetime import timedelta

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime

from campaigns.selectors import campaign_activity_by_day

MAX_CALENDAR_SPAN = timedelta(days=62)


@login_required
@permission_required("segments.view_event", raise_exception=True)
def calendar_view(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/calendar.html")


@login_required
@permission_required("segments.view_event", raise_exception=True)
def calendar_feed_view(request: HttpRequest) -> JsonResponse:
    """The calendar's event feed: one entry per campaign and day with activity."""
    start = parse_datetime(request.GET.get("start", ""))
    end = parse_datetime(request.GET.get("end", ""))
    if start is None or end is None or not timedelta(0) < end - start <= MAX_CALENDAR_SPAN:
        return JsonResponse(
            {"error": "Give start and end as ISO date-times, at most 62 days apart."}, status=400
        )
    entries = [
        {
            "title": f"{row['campaign_code']}: {row['clicks']} clicks, {row['purchases']} purchases",
            "start": row["day"].isoformat(),
            "allDay": True,
            "groupId": row["campaign_code"],
        }
        for row in campaign_activity_by_day(start=start, end=end)
    ]
    return JsonResponse(entries, safe=False)
