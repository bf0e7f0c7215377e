"""User management in /admin/ for the Admin role: roles yes, superuser powers no."""

import pytest
from django.contrib.auth.models import Group, Permission

from governance.models import AuditEntry
from governance.roles import MANAGER, MARKETER

pytestmark = pytest.mark.django_db


def _change_form(user) -> dict:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }


def test_an_admin_cannot_make_themselves_superuser_or_grant_single_permissions(login, admin):
    client = login(admin)
    page = client.get(f"/admin/governance/user/{admin.id}/change/").content.decode()
    assert 'name="groups"' in page
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page

    members = Permission.objects.get(codename="view_members")
    form = {**_change_form(admin), "is_superuser": "on", "user_permissions": [members.id]}
    form["groups"] = [Group.objects.get(name="Admin").id]
    assert client.post(f"/admin/governance/user/{admin.id}/change/", form).status_code == 302
    admin.refresh_from_db()
    assert not admin.is_superuser and not admin.user_permissions.exists()


def test_role_changes_are_audited_and_only_roles_are_offered(login, admin, marketer):
    Group.objects.create(name="Backstage")
    client = login(admin)
    page = client.get(f"/admin/governance/user/{marketer.id}/change/").content.decode()
    assert "Backstage" not in page

    form = {**_change_form(marketer), "groups": [Group.objects.get(name=MANAGER).id]}
    response = client.post(f"/admin/governance/user/{marketer.id}/change/", form)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="user.roles_changed")
    assert entry.details == {"before": [MARKETER], "after": [MANAGER]}
    assert entry.actor_id == admin.id


def test_an_admin_sets_a_marketers_password_but_not_an_approvers(login, admin, marketer, manager):
    client = login(admin)
    new = {"password1": "a-Long-new-pass-42", "password2": "a-Long-new-pass-42", "usable_password": "true"}
    assert client.get(f"/admin/governance/user/{manager.id}/password/").status_code == 403
    assert client.post(f"/admin/governance/user/{manager.id}/password/", new).status_code == 403
    manager.refresh_from_db()
    assert not manager.check_password("a-Long-new-pass-42")

    assert client.post(f"/admin/governance/user/{marketer.id}/password/", new).status_code == 302
    marketer.refresh_from_db()
    assert marketer.check_password("a-Long-new-pass-42")
