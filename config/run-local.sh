#!/usr/bin/env bash
# `make run`: the whole product on this machine. Without DATABASE_URL / REDIS_URL it uses the embedded
# PostgreSQL (started by the settings) and carries Celery's messages through it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.local}
port=${PORT:-8000}
mkdir -p .data

python manage.py migrate --noinput
python manage.py demo_data --if-empty --profiles "${DEMO_PROFILES:-20000}"
python manage.py demo_workspace --if-empty

celery -A config worker -Q default,imports,ml,reports --concurrency 2 --loglevel INFO >.data/worker.log 2>&1 &
celery -A config beat --loglevel INFO >.data/beat.log 2>&1 &
trap 'kill $(jobs -p) 2>/dev/null' EXIT

cat <<TEXT

  Persona Studio is running at http://127.0.0.1:$port/
  Worker and beat logs: .data/worker.log, .data/beat.log
  Log in as marketer, manager, admin or viewer; each password is <user>-demo-pass
  (for example admin / admin-demo-pass). Stop with Ctrl-C.

TEXT
python manage.py runserver "127.0.0.1:$port"
