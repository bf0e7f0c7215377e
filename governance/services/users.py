from django.contrib.auth.models import Group
from django.db import transaction

from governance.models import User
from governance.roles import ADMIN, MANAGER, MARKETER, ROLES, VIEWER
from governance.services.roles import roles_sync

DEMO_NAMES = {
    MARKETER: ("Maya", "Marketer"),
    MANAGER: ("Manuel", "Manager"),
    ADMIN: ("Ada", "Admin"),
    VIEWER: ("Vic", "Viewer"),
}


@transaction.atomic
def user_create(
    *, username: str, password: str, role: str, first_name: str = "", last_name: str = ""
) -> User:
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == ADMIN,
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def demo_users_ensure() -> list[tuple[str, str, str]]:
    """One demo login per role; returns (username, password, role) for each."""
    roles_sync()
    logins = []
    for role in ROLES:
        username, password = role.lower(), f"{role.lower()}-demo-pass"
        if not User.objects.filter(username=username).exists():
            first_name, last_name = DEMO_NAMES[role]
            user_create(
                username=username, password=password, role=role, first_name=first_name, last_name=last_name
            )
        logins.append((username, password, role))
    return logins
