import pytest
from django.db import connection

from segments.models import Event, EventDailyCount, Profile
from segments.selectors import profile_list, table_row_counts
from tests.factories import EventFactory, IdentityFactory, ProfileFactory, at

pytestmark = pytest.mark.django_db


def test_triggers_keep_row_counts_exact_through_inserts_and_deletes():
    profiles = ProfileFactory.create_batch(3)
    EventFactory.create_batch(4, profile=profiles[0])
    assert table_row_counts()["segments_profile"] == 3
    assert table_row_counts()["segments_event"] == 4

    Profile.objects.filter(id=profiles[0].id).delete()  # its events go with it
    assert table_row_counts()["segments_profile"] == 2
    assert table_row_counts()["segments_event"] == 0


@pytest.mark.django_db(transaction=True)  # TRUNCATE refuses while deferred FK checks are pending
def test_truncate_resets_the_counts():
    ProfileFactory.create_batch(2)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE segments_profile CASCADE")
    assert table_row_counts()["segments_profile"] == 0


def test_daily_event_counts_follow_inserts_and_deletes():
    profile = ProfileFactory()
    EventFactory(profile=profile, event_type="like", occurred_at=at("2026-03-01", 9))
    EventFactory(profile=profile, event_type="like", occurred_at=at("2026-03-01", 23))
    doomed = EventFactory(profile=profile, event_type="share", occurred_at=at("2026-03-02"))
    doomed.delete()
    counts = {(row.day.isoformat(), row.event_type): row.events for row in EventDailyCount.objects.all()}
    assert counts == {("2026-03-01", "like"): 2, ("2026-03-02", "share"): 0}
    assert Event.objects.count() == 2


def test_profiles_are_found_by_name_email_or_handle():
    ada = ProfileFactory(first_name="Ada", last_name="Lovelace")
    IdentityFactory(profile=ada, kind="email", value="ada@example.com")
    IdentityFactory(profile=ada, kind="instagram", value="ada.codes")
    ProfileFactory(first_name="Grace", last_name="Hopper")

    assert list(profile_list(search="Lovelace")) == [ada]
    assert list(profile_list(search="ada lovelace")) == [ada]
    assert list(profile_list(search="ADA@example.com ")) == [ada]
    assert list(profile_list(search="@ada.codes")) == [ada]
    assert list(profile_list(search="nobody")) == []


def test_the_profile_page_pages_by_keyset(viewer, login):
    ProfileFactory.create_batch(55, last_name="Pager")
    client = login(viewer)
    first = client.get("/audience/profiles/")
    assert first.status_code == 200
    assert first.context["total"] == 55
    assert len(first.context["profiles"]) == 50
    second = client.get("/audience/profiles/", {"before": first.context["next_before"]})
    assert len(second.context["profiles"]) == 5
    assert second.context["next_before"] is None


def test_profile_search_over_htmx_returns_the_rows_only(viewer, login):
    ProfileFactory(first_name="Ada", last_name="Lovelace")
    response = login(viewer).get("/audience/profiles/", {"q": "Lovelace"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Ada Lovelace" in body and "<html" not in body
    empty = login(viewer).get("/audience/profiles/", {"q": "Nobody"}, HTTP_HX_REQUEST="true")
    assert "No profile matches" in empty.content.decode()


def test_profile_api_pages_by_cursor(viewer, login):
    ProfileFactory.create_batch(3)
    response = login(viewer).get("/api/v1/profiles/", {"page_size": 2})
    body = response.json()
    assert len(body["results"]) == 2 and body["next"]
    assert len(login(viewer).get(body["next"]).json()["results"]) == 1
