"""The small interface to object permissions (django-guardian): check, grant, revoke, filter.

Grants and revocations are audited; other apps use these functions, never guardian directly."""

from django.contrib.auth.models import Group
from django.db import models, transaction
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from governance.models import User
from governance.services.audit import audit_record


def access_check(*, user: User, perm: str, obj: models.Model) -> bool:
    """True if the user holds `perm` on the model as a whole or on this object."""
    return user.is_active and (user.has_perm(perm) or user.has_perm(perm, obj))


def access_filter(*, user: User, perm: str, queryset: models.QuerySet) -> models.QuerySet:
    """The objects of `queryset` on which the user holds `perm`, per model or per object."""
    return get_objects_for_user(user, perm, klass=queryset, accept_global_perms=True)


@transaction.atomic
def access_grant(*, actor: User, grantee: User | Group, perm: str, obj: models.Model) -> None:
    assign_perm(perm, grantee, obj)
    audit_record(actor=actor, action="access.granted", subject=obj, details=_details(grantee, perm))


@transaction.atomic
def access_revoke(*, actor: User, grantee: User | Group, perm: str, obj: models.Model) -> None:
    remove_perm(perm, grantee, obj)
    audit_record(actor=actor, action="access.revoked", subject=obj, details=_details(grantee, perm))


def _details(grantee: User | Group, perm: str) -> dict[str, str]:
    kind = "group" if isinstance(grantee, Group) else "user"
    name = grantee.name if isinstance(grantee, Group) else grantee.get_username()
    return {"perm": perm, kind: name}
