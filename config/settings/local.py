"""The product on one machine. Without DATABASE_URL an embedded PostgreSQL is started; without a
broker URL, Celery's messages travel through that same PostgreSQL."""

import os
import secrets
from pathlib import Path

from config.embedded import embedded_broker_url, embedded_database_url

_data_dir = Path(__file__).resolve().parent.parent.parent / ".data"
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
if "SECRET_KEY" not in os.environ:
    _key_file = _data_dir / "secret_key"
    if not _key_file.exists():
        _data_dir.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50))
    os.environ["SECRET_KEY"] = _key_file.read_text().strip()
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = embedded_database_url(_data_dir / "postgres")
if "CELERY_BROKER_URL" not in os.environ:
    os.environ["CELERY_BROKER_URL"] = os.environ.get("REDIS_URL") or embedded_broker_url(
        os.environ["DATABASE_URL"]
    )

from config.settings.base import *  # noqa: E402, F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
