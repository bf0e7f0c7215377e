from django.contrib.auth.models import Group, Permission
from django.db import transaction

from governance.roles import ROLE_PERMISSIONS


class UnknownPermission(LookupError):
    pass


@transaction.atomic
def roles_sync() -> None:
    """Make each role group hold exactly the permissions governance.roles gives it."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([_permission(name) for name in names])


def _permission(name: str) -> Permission:
    app_label, codename = name.split(".", 1)
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist as missing:
        raise UnknownPermission(f"role permission {name!r} does not exist") from missing


def roles_sync_after_migrate(sender, app_config=None, apps=None, **kwargs) -> None:
    # post_migrate is sent once per app with models; act on the last, when every permission exists.
    from django.apps import apps as installed_apps

    with_models = [config for config in installed_apps.get_app_configs() if config.models_module]
    if app_config is with_models[-1]:
        roles_sync()
