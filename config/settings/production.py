"""Production: every secret and address comes from the environment; nothing has a default."""

import os

os.environ.setdefault("DEBUG", "false")
if "CELERY_BROKER_URL" not in os.environ and "REDIS_URL" in os.environ:
    os.environ["CELERY_BROKER_URL"] = os.environ["REDIS_URL"]

from config.settings.base import *  # noqa: F403
from config.settings.base import env

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
