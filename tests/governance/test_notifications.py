import pytest

from governance.services.notifications import notify

pytestmark = pytest.mark.django_db


def test_unread_notifications_show_in_the_header_until_read(marketer, login):
    notify(user=marketer, message="Persona Busy Parents is stale", link="/personas/1/")
    client = login(marketer)
    assert 'data-testid="unread-count">1' in client.get("/").content.decode()
    page = client.get("/notifications/").content.decode()
    assert "Persona Busy Parents is stale" in page
    client.post("/notifications/")
    assert "unread-count" not in client.get("/").content.decode()


def test_notifications_are_personal(marketer, viewer, login):
    notify(user=marketer, message="Only for Mia")
    assert "Only for Mia" not in login(viewer).get("/notifications/").content.decode()
