#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the ledger tests, on a free loopback
# port, owned by the `postgres` user, and exports its URL as FLOKTU_TEST_POSTGRES.
# Sourced by .ci/run (the cluster stops when the run ends); also usable by hand:
#   source .ci/postgres.sh && cargo test --test ledger
set -euo pipefail

floktu_pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(floktu_pg_bin)" ]; then
  echo "== installing postgresql"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
FLOKTU_PG_BIN="$(floktu_pg_bin)"

# A port nothing listens on.
floktu_pg_port=""
for p in $(seq 54320 54420); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    floktu_pg_port=$p
    break
  fi
done
if [ -z "$floktu_pg_port" ]; then
  echo "no free port for PostgreSQL in 54320-54420" >&2
  return 1 2>/dev/null || exit 1
fi

FLOKTU_PG_DATA="$(mktemp -d /tmp/floktu-pg.XXXXXX)"
chown postgres:postgres "$FLOKTU_PG_DATA"
floktu_as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
echo "== PostgreSQL $("$FLOKTU_PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$floktu_pg_port"
floktu_as_postgres "$FLOKTU_PG_BIN/initdb" -D "$FLOKTU_PG_DATA/data" -U postgres -A trust --no-sync >/dev/null
floktu_as_postgres "$FLOKTU_PG_BIN/pg_ctl" -D "$FLOKTU_PG_DATA/data" -l "$FLOKTU_PG_DATA/log" -w \
  -o "-p $floktu_pg_port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null

floktu_pg_stop() {
  floktu_as_postgres "$FLOKTU_PG_BIN/pg_ctl" -D "$FLOKTU_PG_DATA/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$FLOKTU_PG_DATA"
}
trap floktu_pg_stop EXIT

export FLOKTU_TEST_POSTGRES="postgres://postgres@127.0.0.1:$floktu_pg_port/postgres?sslmode=disable"
