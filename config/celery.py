import os

from celery import Celery
from celery.signals import worker_init

from config.memory import freed_memory_kept

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("persona_studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _keep_freed_memory(**kwargs) -> None:
    # Before the pool's processes fork, so every one of them inherits it.
    freed_memory_kept()
