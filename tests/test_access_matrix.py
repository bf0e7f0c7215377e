"""Every protected page, partial and API operation refuses those it is not for."""

import pytest
from django.test import Client

from governance.services.jobs import job_request

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/audience/profiles/",
    "/audience/demo-data/",
    "/jobs/",
    "/governance/audit/",
    "/campaigns/calendar/",
    "/campaigns/calendar/feed/?start=2026-01-01T00:00:00Z&end=2026-02-01T00:00:00Z",
    "/account/password/",
]
ROLE_ONLY_PAGES = [page for page in PAGES if page not in ("/", "/account/password/")]
API = [
    ("get", "/api/v1/me/"),
    ("get", "/api/v1/jobs/"),
    ("get", "/api/v1/audit/"),
    ("get", "/api/v1/profiles/"),
    ("post", "/api/v1/demo-data/"),
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


@pytest.mark.parametrize("url", ROLE_ONLY_PAGES)
def test_a_user_without_a_role_is_refused(outsider, login, url):
    assert login(outsider).get(url).status_code == 403


@pytest.mark.parametrize(("method", "url"), API)
def test_the_api_refuses_anonymous_callers(method, url):
    assert getattr(Client(), method)(url).status_code in (401, 403)


@pytest.mark.parametrize(("method", "url"), [call for call in API if call[1] != "/api/v1/me/"])
def test_the_api_refuses_a_user_without_a_role(outsider, login, method, url):
    assert getattr(login(outsider), method)(url).status_code == 403


@pytest.mark.parametrize("suffix", ["", "progress/", "cancel/"])
def test_someone_elses_job_is_not_found(marketer, viewer, login, suffix):
    job = job_request(task_name="tests.noop", title="Private", actor=marketer)
    client = login(viewer)
    response = (
        client.post(f"/jobs/{job.id}/{suffix}")
        if suffix == "cancel/"
        else client.get(f"/jobs/{job.id}/{suffix}")
    )
    assert response.status_code == 404
    assert login(viewer).get(f"/api/v1/jobs/{job.id}/").status_code == 404


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("viewer", {"/", "/audience/profiles/", "/campaigns/calendar/"}),
        ("marketer", {"/", "/audience/profiles/", "/campaigns/calendar/", "/jobs/"}),
        (
            "admin",
            {
                "/",
                "/audience/profiles/",
                "/campaigns/calendar/",
                "/jobs/",
                "/audience/demo-data/",
                "/governance/audit/",
            },
        ),
    ],
)
def test_each_role_opens_its_pages(request, login, role, allowed):
    client = login(request.getfixturevalue(role))
    for url in [
        "/",
        "/audience/profiles/",
        "/audience/demo-data/",
        "/jobs/",
        "/governance/audit/",
        "/campaigns/calendar/",
    ]:
        expected = 200 if url in allowed else 403
        assert client.get(url).status_code == expected, url


def test_htmx_posts_need_the_csrf_token(marketer):
    job = job_request(task_name="tests.noop", title="Mine", actor=marketer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(marketer)
    assert client.post(f"/jobs/{job.id}/cancel/", HTTP_HX_REQUEST="true").status_code == 403

    page = client.get(f"/jobs/{job.id}/").content.decode()
    token = page.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]
    response = client.post(f"/jobs/{job.id}/cancel/", HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert "Cancelled" in response.content.decode()
