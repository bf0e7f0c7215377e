from django.contrib.auth.models import AbstractUser
from django.db import models

from config.models import TimestampedModel


class User(AbstractUser):
    """Roles are the groups Marketer, Manager, Admin and Viewer (see governance.roles)."""

    email = models.EmailField("email address", blank=True)

    @property
    def role_names(self) -> list[str]:
        return sorted(group.name for group in self.groups.all())

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Team(TimestampedModel):
    name = models.CharField(max_length=120, unique=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True)

    def __str__(self) -> str:
        return self.name
