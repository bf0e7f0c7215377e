"""Personas tests: people to draft personas from, and a second marketer."""

import pytest

from governance import roles
from tests.factories import ProfileFactory


@pytest.fixture
def second_marketer(make_user):
    return make_user("mo", roles.MARKETER)


@pytest.fixture
def people():
    return ProfileFactory.create_batch(6)
