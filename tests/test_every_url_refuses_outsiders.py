"""Every URL the product serves, found by walking the URL configuration, refuses anonymous visitors and
users in no role: a page or API added later is covered without being listed here."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Open to anyone, or the admin site's own login flow.
PUBLIC = ("login/", "logout/", "api/schema/", "api/docs/", "admin/")
# Logged-in users in no role may use these: their own account, notifications and approvals inbox.
ANY_USER = (
    "",
    "account/password/",
    "account/password/done/",
    "notifications/",
    "approvals/",
    "api/v1/me/",
    "api/v1/dashboard/",
)
# What a converter's placeholder becomes: an id that names nothing in an empty database.
PLACEHOLDERS = {
    "int": "999999",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _routes(patterns=None, prefix: str = "") -> list[str]:
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            routes += _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            routes.append(prefix + str(entry.pattern))
    return sorted(set(routes))


def _concrete(route: str) -> str:
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda match: PLACEHOLDERS[match.group(1) or "str"], route)


PROTECTED = [route for route in _routes() if not route.startswith(PUBLIC) and route not in ANY_USER]


def test_the_walk_finds_the_products_pages_and_api():
    assert "audience/profiles/" in PROTECTED and "api/v1/jobs/" in PROTECTED
    assert len(PROTECTED) > 50


@pytest.mark.parametrize("route", PROTECTED)
def test_anonymous_visitors_are_refused(route):
    client = Client()
    url = _concrete(route)
    for response in (client.get(url), client.post(url)):
        if route.startswith("api/"):
            assert response.status_code in (401, 403, 405), (url, response.status_code)
        else:
            assert response.status_code in (302, 405), (url, response.status_code)
            if response.status_code == 302:
                assert response.url.startswith("/login/"), (url, response.url)


@pytest.mark.parametrize("route", PROTECTED)
def test_a_user_in_no_role_gets_nothing(outsider, login, route):
    client = login(outsider)
    url = _concrete(route)
    for response in (client.get(url), client.post(url)):
        assert response.status_code in (403, 404, 405), (url, response.status_code)
