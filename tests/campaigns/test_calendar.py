import pytest

from tests.factories import EventFactory, ProfileFactory, at

pytestmark = pytest.mark.django_db

FEED = "/campaigns/calendar/feed/"


def test_the_feed_has_one_entry_per_campaign_and_day(viewer, login):
    profile = ProfileFactory()
    EventFactory(
        profile=profile, event_type="click", campaign_code="spring-sale", occurred_at=at("2026-04-02")
    )
    EventFactory(
        profile=profile, event_type="click", campaign_code="spring-sale", occurred_at=at("2026-04-02")
    )
    EventFactory(
        profile=profile, event_type="purchase", campaign_code="spring-sale", occurred_at=at("2026-04-02")
    )
    EventFactory(profile=profile, event_type="click", campaign_code="", occurred_at=at("2026-04-02"))
    EventFactory(profile=profile, event_type="click", campaign_code="outside", occurred_at=at("2026-06-02"))
    entries = login(viewer).get(FEED, {"start": "2026-04-01T00:00:00Z", "end": "2026-05-01T00:00:00Z"}).json()
    assert entries == [
        {
            "title": "spring-sale: 2 clicks, 1 purchases",
            "start": "2026-04-02",
            "allDay": True,
            "groupId": "spring-sale",
        }
    ]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"start": "yesterday", "end": "today"},
        {"start": "2026-01-01T00:00:00Z", "end": "2026-12-01T00:00:00Z"},
        {"start": "2026-02-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"},
    ],
)
def test_the_feed_refuses_a_missing_or_unreasonable_range(viewer, login, params):
    response = login(viewer).get(FEED, params)
    assert response.status_code == 400
    assert "start and end" in response.json()["error"]
