import pytest

from segments.models import MatchCandidate
from tests.factories import DataSourceFactory, IdentityFactory, ProfileFactory


@pytest.fixture
def crm():
    return DataSourceFactory(name="CRM", kind="crm", platform="crm")


@pytest.fixture
def instagram():
    return DataSourceFactory(name="Instagram", kind="social", platform="instagram")


@pytest.fixture
def person(crm):
    """make(source=None, email=None, phone=None, **fields) -> a profile with those identities."""

    def make(source=None, email=None, phone=None, **fields):
        profile = ProfileFactory(source=source or crm, **fields)
        if email:
            IdentityFactory(profile=profile, kind="email", value=email)
        if phone:
            IdentityFactory(profile=profile, kind="phone", value=phone)
        return profile

    return make


@pytest.fixture
def candidate_for():
    def make(first, second, score=0.9):
        a, b = sorted([first, second], key=lambda profile: profile.id)
        return MatchCandidate.objects.create(
            profile_a=a, profile_b=b, score=score, evidence={"first_name": "exact", "last_name": "close"}
        )

    return make
