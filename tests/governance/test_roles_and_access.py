import pytest
from django.contrib.auth.models import Group

from governance.access import access_check, access_filter, access_grant, access_revoke
from governance.models import AuditEntry, Team
from governance.roles import ROLE_PERMISSIONS
from governance.services import roles as role_services
from governance.services.roles import UnknownPermission, roles_sync

pytestmark = pytest.mark.django_db


def test_each_role_holds_exactly_its_permissions():
    roles_sync()
    for role, names in ROLE_PERMISSIONS.items():
        held = {
            f"{app}.{code}"
            for app, code in Group.objects.get(name=role).permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert held == set(names)


def test_a_misspelt_role_permission_is_refused(monkeypatch):
    monkeypatch.setitem(role_services.ROLE_PERMISSIONS, "Viewer", ["segments.view_profiel"])
    with pytest.raises(UnknownPermission, match="view_profiel"):
        roles_sync()


def test_object_permissions_are_granted_checked_filtered_and_revoked(admin, marketer):
    mine, other = Team.objects.create(name="Retention"), Team.objects.create(name="Brand")
    assert not access_check(user=marketer, perm="governance.change_team", obj=mine)

    access_grant(actor=admin, grantee=marketer, perm="governance.change_team", obj=mine)
    marketer = type(marketer).objects.get(id=marketer.id)  # permission caches live on the instance
    assert access_check(user=marketer, perm="governance.change_team", obj=mine)
    assert not access_check(user=marketer, perm="governance.change_team", obj=other)
    assert list(access_filter(user=marketer, perm="governance.change_team", queryset=Team.objects.all())) == [
        mine
    ]

    access_revoke(actor=admin, grantee=marketer, perm="governance.change_team", obj=mine)
    marketer = type(marketer).objects.get(id=marketer.id)
    assert not access_check(user=marketer, perm="governance.change_team", obj=mine)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["access.revoked", "access.granted"]


def test_a_model_wide_permission_opens_every_object(admin):
    team = Team.objects.create(name="Growth")
    assert access_check(user=admin, perm="governance.change_team", obj=team)
    assert list(access_filter(user=admin, perm="governance.change_team", queryset=Team.objects.all())) == [
        team
    ]
