import pytest

from analytics.selectors import daily_event_series
from tests.factories import EventFactory, ProfileFactory, at

pytestmark = pytest.mark.django_db


def test_daily_series_fills_days_without_events_with_zero():
    profile = ProfileFactory()
    EventFactory(profile=profile, event_type="like", occurred_at=at("2026-05-01"))
    EventFactory(profile=profile, event_type="like", occurred_at=at("2026-05-03"))
    EventFactory(profile=profile, event_type="comment", occurred_at=at("2026-05-03"))
    series = daily_event_series(days=3)
    assert series["labels"] == ["2026-05-01", "2026-05-02", "2026-05-03"]
    assert series["series"] == {"comment": [0, 0, 1], "like": [1, 0, 1]}


def test_the_dashboard_shows_real_counts_and_the_chart_data(viewer, login):
    profile = ProfileFactory()
    EventFactory.create_batch(2, profile=profile, occurred_at=at("2026-05-01"))
    page = login(viewer).get("/")
    assert page.context["counts"]["profiles"] == 1
    assert page.context["counts"]["events"] == 2
    assert 'id="events-series"' in page.content.decode()


def test_the_dashboard_says_when_there_is_nothing_yet(viewer, login):
    page = login(viewer).get("/").content.decode()
    assert "No events yet" in page


def test_dashboard_api(viewer, login):
    EventFactory(occurred_at=at("2026-05-01"))
    body = login(viewer).get("/api/v1/dashboard/").json()
    assert body["counts"]["events"] == 1
    assert body["labels"][-1] == "2026-05-01"
