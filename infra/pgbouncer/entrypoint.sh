#!/bin/sh
# The one login PgBouncer accepts and passes on (SCRAM with PostgreSQL 16), from the environment.
set -eu
mkdir -p /var/run/postgresql
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
printf '"%s" "%s"\n' "${POSTGRES_USER:-thongthin}" "$POSTGRES_PASSWORD" > /var/run/postgresql/userlist.txt
chmod 600 /var/run/postgresql/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
