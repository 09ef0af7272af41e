#!/usr/bin/env bash
# The whole test suite, stage by stage, with each stage's time. Called by `make test`.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
export PATH="$PWD/$VENV/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1
export DOORSTROOM_ASSURANCE_FLOORS=1  # the assurance report fails the run below its floors
PG_URL="${DOORSTROOM_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/doorstroom}"
declare -a SUMMARY=()
FAILED=0
SUITE_START=$(date +%s)

stage() {  # stage "name" command...
  local name="$1"; shift
  local start=$(date +%s)
  echo
  echo "=== $name"
  "$@"
  local rc=$?
  local took=$(( $(date +%s) - start ))
  if [ $rc -eq 0 ]; then SUMMARY+=("ok    ${took}s  $name"); else SUMMARY+=("FAIL  ${took}s  $name"); FAILED=1; fi
  return 0
}

ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then chromium --version; return 0; fi
  echo "Debian's chromium is missing: installing it (apt-get)."
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null && chromium --version
}

postgres_reachable() {
  python - "$PG_URL" <<'PY'
import sys, psycopg
url = sys.argv[1].rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(url, connect_timeout=3).close()
except Exception as error:
    print(f"PostgreSQL not reachable: {error}")
    sys.exit(1)
PY
}

stage "browser: Debian chromium present" ensure_chromium
stage "lint: ruff" ruff check .
stage "format: ruff" ruff format --check .
stage "types: mypy" mypy .
stage "architecture: import-linter" lint-imports
stage "migrations: none missing" python manage.py makemigrations --check --dry-run --settings=config.settings.test
stage "translations: English catalogue compiles" python scripts/check_translations.py
stage "security: bandit (medium and higher)" bandit -q -r doorstroom config -ll -x "*/tests/*"
check_deploy() {  # production settings with throw-away secrets: no findings allowed
  env DOORSTROOM_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DOORSTROOM_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
    DOORSTROOM_BLIND_INDEX_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
    DOORSTROOM_AUDIT_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
    DOORSTROOM_AUDIT_CHECKPOINTS=syslog \
    DATABASE_URL="$PG_URL" REDIS_URL=redis://127.0.0.1:6379/0 DOORSTROOM_ALLOWED_HOSTS=doorstroom.example.nl \
    python manage.py check --deploy --fail-level WARNING --settings=config.settings.production
}
stage "security: check --deploy (production settings)" check_deploy
stage "api: OpenAPI schema valid" python manage.py spectacular --validate --fail-on-warn --file /tmp/doorstroom-schema.yaml --settings=config.settings.test
# Generated suites (markers `fuzz` and `generated`: schemathesis, the marker sweep) run once: on
# PostgreSQL when it is reachable, else on SQLite.
# With PostgreSQL the work goes in two lanes, one per core: in the background the SQLite run and then
# the API fuzzing on PostgreSQL (its own test database), with their output kept in a file and printed
# when they end; in front the rest of the PostgreSQL run (functional, browser, generated suites).
if postgres_reachable; then
  LANE_LOG="$(mktemp -t doorstroom-lane.XXXXXX)"
  SQLITE_NAME="tests on SQLite (functional + browser; in the background lane)"
  FUZZ_NAME="API fuzzing on PostgreSQL (schemathesis; in the background lane, after SQLite)"
  PG_BASE="${PG_URL%%\?*}"
  FUZZ_URL="${PG_BASE}_fuzz${PG_URL#"$PG_BASE"}"  # its own database: ..._fuzz, options kept
  (
    start=$(date +%s)
    echo "=== $SQLITE_NAME" >"$LANE_LOG"
    pytest -q --durations=10 -m "not fuzz and not generated" >>"$LANE_LOG" 2>&1
    echo "$? $(( $(date +%s) - start ))" >"$LANE_LOG.sqlite"
    start=$(date +%s)
    echo; echo "=== $FUZZ_NAME" >>"$LANE_LOG"
    env DATABASE_URL="$FUZZ_URL" pytest -q --durations=5 --create-db -m fuzz >>"$LANE_LOG" 2>&1
    echo "$? $(( $(date +%s) - start ))" >"$LANE_LOG.fuzz"
  ) &
  LANE_PID=$!
  echo
  echo "=== $SQLITE_NAME, then $FUZZ_NAME: started, output follows when they end"
  stage "tests on PostgreSQL (functional + browser + marker sweep and other generated suites)" env DATABASE_URL="$PG_URL" pytest -q --durations=15 --create-db -m "not fuzz"
  wait "$LANE_PID"
  echo
  cat "$LANE_LOG"
  for lane in sqlite fuzz; do
    name="$SQLITE_NAME"; [ "$lane" = fuzz ] && name="$FUZZ_NAME"
    read -r lane_rc lane_took <"$LANE_LOG.$lane" || { lane_rc=1; lane_took=0; }
    if [ "$lane_rc" -eq 0 ]; then SUMMARY+=("ok    ${lane_took}s  $name"); else SUMMARY+=("FAIL  ${lane_took}s  $name"); FAILED=1; fi
  done
  rm -f "$LANE_LOG" "$LANE_LOG.sqlite" "$LANE_LOG.fuzz"
else
  stage "tests on SQLite (functional + browser + fuzzing + marker sweep)" pytest -q
  if [ "${CI:-}" = "true" ]; then
    SUMMARY+=("FAIL  0s  PostgreSQL unreachable (CI=true makes this a failure)"); FAILED=1
  else
    SUMMARY+=("skip  0s  tests on PostgreSQL (server not reachable)")
  fi
fi

echo
echo "=== Summary (total $(( $(date +%s) - SUITE_START ))s)"
printf '%s\n' "${SUMMARY[@]}"
exit $FAILED
