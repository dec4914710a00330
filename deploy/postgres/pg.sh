#!/usr/bin/env bash
# Runs PostgreSQL from Debian's packages for newsstream's tests and demo (no Docker).
#   pg.sh install   apt-get install postgresql when it is missing
#   pg.sh start     start the Debian cluster, wait for it, create the newsstream role and database
#   pg.sh stop      stop the cluster
# The role and database are both "newsstream" (password "newsstream"), on 127.0.0.1:${PGPORT:-5432}:
#   NEWSSTREAM_DATABASE_URL=postgresql://newsstream:newsstream@127.0.0.1:5432/newsstream
set -euo pipefail

port=${PGPORT:-5432}

install() {
  if ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then return 0; fi
  echo "pg.sh: installing PostgreSQL from Debian's packages"
  if [ "$(id -u)" -ne 0 ]; then echo "pg.sh: run as root, or install the postgresql package yourself" >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

cluster() {
  # the newest installed major version, and its first cluster (Debian creates "main")
  pg_lsclusters --no-header | sort -k1,1n | tail -n 1 | awk '{print $1, $2}'
}

start() {
  install
  read -r version name < <(cluster) || true
  if [ -z "${version:-}" ]; then
    version=$(ls /usr/lib/postgresql | sort -n | tail -n 1); name=main
    pg_createcluster "$version" "$name" -p "$port" >/dev/null
  fi
  pg_ctlcluster "$version" "$name" start 2>/dev/null || true
  for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 0.5; done
  pg_isready -q -h 127.0.0.1 -p "$port" || { echo "pg.sh: PostgreSQL $version/$name did not answer on 127.0.0.1:$port" >&2; exit 1; }
  as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'newsstream') THEN
    CREATE ROLE newsstream LOGIN PASSWORD 'newsstream' CREATEDB;
  END IF;
END $$;
SQL
  as_postgres psql -q -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname='newsstream'" | grep -q 1 \
    || as_postgres createdb -p "$port" -O newsstream newsstream
  echo "pg.sh: PostgreSQL $version ready on 127.0.0.1:$port (database newsstream)"
}

stop() {
  read -r version name < <(cluster) || { echo "pg.sh: no cluster"; return 0; }
  pg_ctlcluster "$version" "$name" stop 2>/dev/null || true
  echo "pg.sh: stopped"
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: pg.sh install|start|stop" >&2; exit 2 ;;
esac
