from django.utils import timezone

from governance.models import Notification, User


def notify(*, user: User, message: str, link: str = "") -> Notification:
    return Notification.objects.create(user=user, message=message[:300], link=link)


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())
