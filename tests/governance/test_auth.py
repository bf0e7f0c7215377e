import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings

from config.settings import base
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_with_the_right_password_opens_the_dashboard(marketer):
    client = Client()
    response = log_in(client, "mia", PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200


def test_login_with_a_wrong_password_says_so(marketer):
    response = log_in(Client(), "mia", "not-the-password")
    assert response.status_code == 200
    assert "did not match" in response.content.decode()


def test_repeated_failures_lock_that_user_from_that_address_only(marketer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "mia", "wrong-password-guess")
    locked = log_in(Client(), "mia", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert log_in(Client(), "mia", PASSWORD, address="10.0.0.2").status_code == 302


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_passwords_are_hashed_with_argon2():
    assert make_password("correct horse battery").startswith("argon2$")


def test_logout_is_a_post_and_ends_the_session(marketer, login):
    client = login(marketer)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_password_change(marketer, login):
    client = login(marketer)
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    marketer.refresh_from_db()
    assert marketer.check_password("a-new-long-passphrase")


def test_api_accepts_a_token(marketer):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=marketer)
    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json() == {"username": "mia", "display_name": "mia", "roles": ["Marketer"]}


def test_api_errors_share_one_format():
    response = Client().get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) == {"code", "message", "fields"}
