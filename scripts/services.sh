#!/usr/bin/env bash
# The services the tests and a production-like run need, installed and started by the project
# itself: nothing is assumed to be running (or even installed) before this script.
#
#   scripts/services.sh up [postgres|redis|opensearch ...]   install what is missing, start, wait
#   scripts/services.sh down [...]                           stop
#   scripts/services.sh status [...]                         say what answers
#
# With no service named, all of them. Idempotent: a service that already answers is left alone.
# PostgreSQL trusts loopback connections (a test machine: nothing else can reach 127.0.0.1) and
# gets a `test` database; Redis listens on 127.0.0.1:6379 without persistence.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive

say() { printf '[services] %s\n' "$*"; }

apt_install() {
  # apt-get update once per run of this script, only when something is missing.
  if [ -z "${_APT_UPDATED:-}" ]; then
    $SUDO apt-get update -qq
    _APT_UPDATED=1
  fi
  $SUDO apt-get install -y -qq "$@" >/dev/null
}

wait_for() {  # wait_for NAME SECONDS COMMAND...
  local name=$1 seconds=$2
  shift 2
  local start=$SECONDS
  while ! "$@" >/dev/null 2>&1; do
    if (( SECONDS - start >= seconds )); then
      say "$name did not answer within ${seconds}s"
      return 1
    fi
    sleep 0.5
  done
  say "$name answers ($(( SECONDS - start ))s)"
}

# --- PostgreSQL ---------------------------------------------------------------------------------

pg_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }
pg_ready() { pg_isready -h 127.0.0.1 -p "$PG_PORT" -q; }

postgres_up() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(pg_version)" ]; then
    say "installing PostgreSQL (Debian)"
    apt_install postgresql postgresql-contrib
  fi
  local v conf hba
  v=$(pg_version)
  if [ -z "$v" ] || [ ! -d "/etc/postgresql/$v/main" ]; then
    v=${v:-$(ls /usr/lib/postgresql | sort -V | tail -n 1)}
    say "creating cluster $v/main"
    $SUDO pg_createcluster "$v" main >/dev/null
  fi
  conf="/etc/postgresql/$v/main"
  hba="$conf/pg_hba.conf"
  # Loopback trust, first in the file so it wins over Debian's peer/scram defaults.
  if ! grep -q '^# buyers-network loopback' "$hba"; then
    say "configuring loopback trust in $hba"
    $SUDO sh -c "{ printf '# buyers-network loopback\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust\n'; cat '$hba'; } > '$hba.new' && mv '$hba.new' '$hba'"
  fi
  # Tests create and drop databases quickly and run many connections at once.
  $SUDO sh -c "printf 'port = %s\nlisten_addresses = %s\nmax_connections = 300\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' '$PG_PORT' \"'127.0.0.1'\" > '$conf/conf.d/buyers-network.conf'"
  if ! pg_ready; then
    say "starting PostgreSQL $v"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$v" main start || $SUDO pg_ctlcluster --skip-systemctl-redirect "$v" main restart
  fi
  wait_for PostgreSQL 60 pg_ready
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE test" >/dev/null
}

postgres_down() {
  local v
  v=$(pg_version)
  [ -n "$v" ] && pg_ready && $SUDO pg_ctlcluster --skip-systemctl-redirect "$v" main stop || true
}

postgres_status() { pg_ready && say "PostgreSQL answers on 127.0.0.1:$PG_PORT" || say "PostgreSQL is down"; }

# --- Redis --------------------------------------------------------------------------------------

redis_ready() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

redis_up() {
  if ! command -v redis-server >/dev/null 2>&1; then
    say "installing Redis (Debian)"
    apt_install redis-server
  fi
  if ! redis_ready; then
    say "starting Redis"
    mkdir -p var/redis
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir "$PWD/var/redis" --logfile "$PWD/var/redis/redis.log" --pidfile "$PWD/var/redis/redis.pid"
  fi
  wait_for Redis 30 redis_ready
}

redis_down() { redis_ready && redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; }

redis_status() { redis_ready && say "Redis answers on 127.0.0.1:$REDIS_PORT" || say "Redis is down"; }

# --- OpenSearch -----------------------------------------------------------------------------------

opensearch_up() {
  if [ -x engines/opensearch/run.sh ]; then
    # The node is built from Maven Central artifacts (engines/opensearch/pom.xml): a JDK 17+ and Maven.
    if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
      say "installing a JDK 17 and Maven (Debian)"
      apt_install openjdk-17-jdk-headless maven
    fi
    engines/opensearch/run.sh up
  else
    say "no OpenSearch launcher in engines/opensearch yet"
  fi
}
opensearch_down() { [ -x engines/opensearch/run.sh ] && engines/opensearch/run.sh down || true; }
opensearch_status() {
  if [ -x engines/opensearch/run.sh ]; then engines/opensearch/run.sh status || true; else say "OpenSearch: no launcher"; fi
}

# --- main -----------------------------------------------------------------------------------------

action=${1:-status}
shift || true
services=("$@")
[ ${#services[@]} -eq 0 ] && services=(postgres redis opensearch)
case "$action" in
  up | down | status) ;;
  *) echo "usage: $0 up|down|status [postgres|redis|opensearch ...]" >&2; exit 2 ;;
esac
for s in "${services[@]}"; do
  case "$s" in
    postgres | redis | opensearch) "${s}_${action}" ;;
    *) echo "unknown service: $s" >&2; exit 2 ;;
  esac
done
