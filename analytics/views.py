from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from analytics.selectors import daily_event_series, dashboard_counts


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    context = {"counts": dashboard_counts(), "series": daily_event_series()}
    return render(request, "analytics/home.html", context)
