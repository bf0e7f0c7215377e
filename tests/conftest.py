import pytest
from django.db import connections
from django.test import Client

from governance.roles import ADMIN, MANAGER, MARKETER, VIEWER
from governance.services.roles import roles_sync
from governance.services.users import user_create

PASSWORD = "a-long-test-password"


@pytest.fixture(scope="session", autouse=True)
def close_job_progress_connection(django_db_setup):
    """The "jobs" alias is a second connection; close it so the test database can be dropped."""
    yield
    connections["jobs"].close()


@pytest.fixture
def make_user(db):
    roles_sync()

    def make(username: str, role: str | None) -> object:
        if role is None:
            from governance.models import User

            return User.objects.create_user(username=username, password=PASSWORD)
        return user_create(username=username, password=PASSWORD, role=role)

    return make


@pytest.fixture
def marketer(make_user):
    return make_user("mia", MARKETER)


@pytest.fixture
def manager(make_user):
    return make_user("max", MANAGER)


@pytest.fixture
def admin(make_user):
    return make_user("ada", ADMIN)


@pytest.fixture
def viewer(make_user):
    return make_user("vic", VIEWER)


@pytest.fixture
def outsider(make_user):
    """Logged in, but in no role: sees nothing protected."""
    return make_user("olly", None)


@pytest.fixture
def login():
    def client_for(user, **client_options) -> Client:
        client = Client(**client_options)
        client.force_login(user)
        return client

    return client_for
