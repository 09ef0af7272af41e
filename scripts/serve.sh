#!/usr/bin/env bash
# `make serve`: the production set-up on this machine (docs/operations.md). PostgreSQL from
# DATABASE_URL and Redis from REDIS_URL (both default to the local servers), gunicorn with several
# workers, static files from WhiteNoise (compressed, hashed names), a Celery worker and its scheduler.
# Keys come from the environment; missing ones are created once in var/serve.env (and said so).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
mkdir -p var

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/doorstroom}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export DOORSTROOM_BIND="${DOORSTROOM_BIND:-127.0.0.1:8000}"
export DJANGO_SETTINGS_MODULE=config.settings.production

KEYS=var/serve.env
KEY_NAMES="DOORSTROOM_SECRET_KEY DOORSTROOM_ENCRYPTION_KEYS DOORSTROOM_BLIND_INDEX_KEY DOORSTROOM_AUDIT_KEY"
missing=0
for name in $KEY_NAMES; do [ -z "${!name:-}" ] && missing=1; done
if [ "$missing" = 1 ] && [ ! -f "$KEYS" ]; then
  umask 077
  python - >"$KEYS" <<'PY'
import secrets
from cryptography.fernet import Fernet
print(f"DOORSTROOM_SECRET_KEY={secrets.token_urlsafe(50)}")
print(f"DOORSTROOM_ENCRYPTION_KEYS={Fernet.generate_key().decode()}")
print(f"DOORSTROOM_BLIND_INDEX_KEY={secrets.token_urlsafe(32)}")
print(f"DOORSTROOM_AUDIT_KEY={secrets.token_urlsafe(32)}")
PY
  echo "Sleutels aangemaakt in $KEYS (alleen voor u leesbaar). Bewaar een kopie apart van de database:"
  echo "zonder de versleutelingssleutel zijn BSN's en notities in een back-up niet meer te lezen."
fi
# what the environment sets wins; the file fills in the rest
if [ "$missing" = 1 ]; then
  while read -r line; do
    name="${line%%=*}"
    [ -n "$name" ] && [ -z "${!name:-}" ] && export "$name=${line#*=}"
  done <"$KEYS"
fi

export DOORSTROOM_AUDIT_CHECKPOINTS="${DOORSTROOM_AUDIT_CHECKPOINTS:-$PWD/var/serve-audit-checkpoints.log}"
export DOORSTROOM_STATIC_FROM_APPS=false
case "$DOORSTROOM_BIND" in
  127.0.0.1:*|localhost:*|\[::1\]:*)
    # plain HTTP on loopback only (the production settings refuse it for any other host name)
    export DOORSTROOM_LOCAL_HTTP="${DOORSTROOM_LOCAL_HTTP:-true}"
    export DOORSTROOM_ALLOWED_HOSTS="${DOORSTROOM_ALLOWED_HOSTS:-127.0.0.1,localhost}"
    ;;
esac
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$PWD/var/metrics}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

python - <<'PY'
# the database of DATABASE_URL is created when the server has none of that name yet
import os, psycopg
from urllib.parse import urlsplit
url = os.environ["DATABASE_URL"]
name = urlsplit(url).path.lstrip("/").split("?")[0]
admin = url.replace(f"/{name}", "/postgres", 1)
with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
        print(f"Database {name} aangemaakt.")
PY
python manage.py migrate --noinput -v0
python manage.py collectstatic --noinput -v0
if [ "${DEMO:-0}" = "1" ]; then
  python manage.py seed_demo --if-empty --participants "${DEMO_PARTICIPANTS:-300}"
fi

PIDS=()
stop() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT INT TERM
celery -A config worker --concurrency 1 --loglevel WARNING --hostname "doorstroom@%h" &
PIDS+=($!)
celery -A config beat --loglevel WARNING --schedule "${DOORSTROOM_BEAT_SCHEDULE:-var/celerybeat-schedule}" &
PIDS+=($!)

if [ "${DEMO:-0}" = "1" ]; then
  python manage.py demo_accounts --address "$DOORSTROOM_BIND"
else
  echo "Doorstroom draait op http://$DOORSTROOM_BIND/  (gezondheid: /health/, meetwaarden: /metrics)"
  echo "Een lege database? 'make serve DEMO=1' vult hem met de demo-regio en toont de demo-accounts."
fi
gunicorn config.wsgi:application -c config/gunicorn.conf.py &
PIDS+=($!)
wait -n "${PIDS[@]}"
