#!/usr/bin/env bash
# Start the services the integration tests use, installing them from Debian if
# missing: PostgreSQL and Redis. Chromium is installed by scripts/chromium.sh.
# Idempotent: a running service is left alone. Exits non-zero if one cannot be had.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

apt_install() {
  if [ "$(id -u)" != 0 ] || ! have apt-get; then
    echo "services: $* missing and cannot be installed here (need root and apt-get)" >&2
    return 1
  fi
  if [ ! -f /tmp/.djust-apt-updated ]; then
    apt-get update -qq && touch /tmp/.djust-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

start_postgres() {
  if have pg_isready && pg_ready; then return 0; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  if ! pg_ready; then echo "services: PostgreSQL did not start" >&2; return 1; fi
  # The tests connect as postgres over TCP without a password (trust), as on
  # these machines; a stock Debian install uses scram, so allow local trust.
  if ! psql -h 127.0.0.1 -U postgres -Atc 'select 1' >/dev/null 2>&1; then
    local hba
    hba=$(su postgres -c "psql -Atc 'show hba_file'")
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
    su postgres -c "psql -Atc 'select pg_reload_conf()'" >/dev/null
  fi
}

start_redis() {
  if have redis-cli && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return 0; fi
  have redis-server || apt_install redis-server
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "services: Redis did not start" >&2
  return 1
}

start_postgres
start_redis
psql -h 127.0.0.1 -U postgres -Atc "select 'PostgreSQL ' || current_setting('server_version')"
echo "Redis $(redis-cli -h 127.0.0.1 -p 6379 info server | sed -n 's/^redis_version:\(.*\)\r$/\1/p')"
