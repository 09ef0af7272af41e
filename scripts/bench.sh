#!/usr/bin/env bash
# `make bench`: the benchmark suite on the production set-up (benchmarks/README.md). It installs the
# load tool, seeds the tier's database once (DEMO=1, with a progress bar), starts `make serve` with
# the limits of one staff member raised, runs the HTTP pages and intakes, the programme reports, the
# 50-user load run without and with faults, the audit-chain measurement, an import of 100,000 event
# rows and the point-in-time-recovery drill on a throwaway cluster, then stops the server. Each script
# prints its figures and writes its JSON result next to it. Loopback only; not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
TIER="${TIER:-T1}"
case "$TIER" in
  T1) PARTICIPANTS=5000 ;;
  T2) PARTICIPANTS=100000 ;;
  T3) PARTICIPANTS=1000000 ;;
  *) echo "TIER is T1, T2 or T3" >&2; exit 2 ;;
esac
tier=$(echo "$TIER" | tr 'A-Z' 'a-z')
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/doorstroom_$tier}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.lock

# the tier's data is seeded once and kept as a dump in var/; a later run (on a fresh database server)
# restores it instead of seeding again
DUMP="var/doorstroom_$tier.dump"
mkdir -p var
# each tier's database has its own audit chain, so its own checkpoint file
export DOORSTROOM_AUDIT_CHECKPOINTS="${DOORSTROOM_AUDIT_CHECKPOINTS:-$PWD/var/bench-$tier-audit-checkpoints.log}"
bash scripts/tier_data.sh restore "$DATABASE_URL" "$DUMP" "$DOORSTROOM_AUDIT_CHECKPOINTS"

# four clients registering a hundred people a second are far above one staff member's limits
export DOORSTROOM_API_RATE_USER=1000000/minute DOORSTROOM_DUPLICATE_CHECKS_PER_HOUR=1000000
DEMO=1 DEMO_PARTICIPANTS="$PARTICIPANTS" bash scripts/serve.sh >var/bench-serve.log 2>&1 &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true; wait $SERVE 2>/dev/null || true' EXIT
echo "Server starten op $DATABASE_URL ($TIER, $PARTICIPANTS deelnemers; het vullen gebeurt eenmalig, log: var/bench-serve.log)"
until curl -sf http://127.0.0.1:8000/health/ >/dev/null; do
  kill -0 $SERVE 2>/dev/null || { tail -20 var/bench-serve.log; exit 1; }
  sleep 5
done
bash scripts/tier_data.sh keep "$DATABASE_URL" "$DUMP"  # as seeded, before the runs below add to it
.venv/bin/python benchmarks/http_at_scale.py --tier "$TIER" --requests "${REQUESTS:-100}"
.venv/bin/python benchmarks/reports_at_scale.py --participants "$PARTICIPANTS" --repeat 2
.venv/bin/python benchmarks/load_run.py --users 50 --seconds "${LOAD_SECONDS:-90}"
.venv/bin/python benchmarks/load_run.py --users 50 --seconds "${LOAD_SECONDS:-90}" --faults
scratch="${DATABASE_URL%/*}/doorstroom_auditbench"
psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE doorstroom_auditbench" 2>/dev/null || true
DATABASE_URL="$scratch" .venv/bin/python benchmarks/audit_chain.py --seconds 5
# the import writes 25,000 new participants (100,000 event rows): into a scratch database, so the
# tier's own figures stay comparable between runs
importing="${DATABASE_URL%/*}/doorstroom_importbench"
psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS doorstroom_importbench" 2>/dev/null || true
psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE doorstroom_importbench" 2>/dev/null || true
DATABASE_URL="$importing" .venv/bin/python benchmarks/import_at_scale.py --participants "${IMPORT_PARTICIPANTS:-25000}"
.venv/bin/python benchmarks/pitr_drill.py --rows 2000
echo "Klaar: de uitkomsten staan in benchmarks/*.json; zet ze met datum en machine in benchmarks/RESULTS.md."
