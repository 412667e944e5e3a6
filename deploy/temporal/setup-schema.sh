#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas to the image's version (idempotent).
set -eu
tool="temporal-sql-tool --plugin postgres12 --ep postgresql -u temporal -p 5432"
for db in temporal temporal_visibility; do
  case "$db" in temporal) dir=temporal ;; *) dir=visibility ;; esac
  $tool --db "$db" create || true
  $tool --db "$db" setup-schema -v 0.0 || true
  $tool --db "$db" update-schema -d "/etc/temporal/schema/postgresql/v12/$dir/versioned"
done
