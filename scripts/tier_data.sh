#!/usr/bin/env bash
# A benchmark tier's data set, seeded once and kept (benchmarks/README.md):
#   tier_data.sh restore DATABASE_URL DUMP [CHECKPOINTS]
#                                            restore DUMP into the database when that database does
#                                            not exist yet (a T3 seed takes the better part of an hour),
#                                            refresh the planner's statistics, and move the audit
#                                            checkpoint file of the database that was there before aside
#   tier_data.sh keep DATABASE_URL DUMP      dump the database into DUMP once, when there is none yet
# A dump holds BSNs and notes encrypted with the keys in var/serve.env: it is only of use together with
# that file (keep them together; never one without the other outside this machine).
set -euo pipefail
action="$1" url="$2" dump="$3" checkpoints="${4:-}"
name="${url##*/}"; name="${name%%\?*}"
admin="${url%/*}/postgres"
exists() { [ "$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" = "1" ]; }
case "$action" in
  restore)
    if exists || [ ! -f "$dump" ]; then exit 0; fi
    echo "Database $name terugzetten uit $dump (eenmalig gevuld; dit duurt enkele minuten)"
    started=$(date +%s)
    psql "$admin" -qc "CREATE DATABASE \"$name\""
    pg_restore --no-owner --jobs 2 --dbname "$url" "$dump"
    vacuumdb --analyze-only --jobs 2 --quiet --dbname "$url"  # a restore brings no statistics
    if [ -n "$checkpoints" ] && [ -f "$checkpoints" ]; then
      # its checkpoints describe a chain that is gone: keep them, apart (docs/operations.md)
      mv "$checkpoints" "$checkpoints.before-restore-$(date +%Y%m%d%H%M%S)"
    fi
    echo "Teruggezet in $(( $(date +%s) - started )) s"
    ;;
  keep)
    if [ -f "$dump" ]; then exit 0; fi
    echo "Database $name bewaren in $dump (voor een volgende meting)"
    started=$(date +%s)
    pg_dump --format custom --compress 1 --file "$dump.partial" "$url"
    mv "$dump.partial" "$dump"
    echo "Bewaard in $(( $(date +%s) - started )) s ($(du -h "$dump" | cut -f1))"
    ;;
  *) echo "tier_data.sh restore|keep DATABASE_URL DUMP" >&2; exit 2 ;;
esac
