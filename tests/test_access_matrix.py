"""Who may open what: each role its own pages, jobs only to those who may see them, CSRF on HTMX posts.
(tests/test_every_url_refuses_outsiders.py walks every URL for anonymous visitors and users in no role.)"""

import pytest
from django.test import Client

from governance.services.jobs import job_request

pytestmark = pytest.mark.django_db


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
