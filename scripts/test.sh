#!/usr/bin/env bash
# Runs every test, on SQLite and on a throwaway PostgreSQL cluster, and ends with one line:
#   N passed, N failed[, N skipped]
# Installs PostgreSQL, python3-aiosmtpd and chromium with apt-get when they are missing. Under CI=true a missing
# PostgreSQL or Chromium fails the run.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
work="$(mktemp -d /tmp/automation-test.XXXXXX)"
chmod 755 "$work"
pg_ctl_bin=""
pg_data="$work/pg/data"

log() { printf 'test.sh: %s\n' "$*" >&2; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

find_pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

install_pg() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then return 1; fi
  log "installing PostgreSQL with apt-get"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

stop_pg() {
  if [ -n "$pg_ctl_bin" ] && [ -f "$pg_data/postmaster.pid" ]; then
    as_postgres "$pg_ctl_bin" -D "$pg_data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap stop_pg EXIT

start_pg() {
  local bin port
  bin="$(find_pg_bin)" || { install_pg && bin="$(find_pg_bin)"; } || return 1
  port="$(free_port)" || return 1
  mkdir -p "$work/pg/socket"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    chown -R postgres "$work/pg"
  fi
  as_postgres "$bin/initdb" -D "$pg_data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log" >&2; return 1; }
  pg_ctl_bin="$bin/pg_ctl"
  # A throwaway cluster: no fsync, loopback only.
  as_postgres "$pg_ctl_bin" -D "$pg_data" -l "$work/pg/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $work/pg/socket -c fsync=off -c synchronous_commit=off -c max_connections=300" start >/dev/null \
    || { cat "$work/pg/server.log" >&2; return 1; }
  export AUTOMATION_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true"
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

# Email is tested against a real SMTP server on loopback: Debian's aiosmtpd.
if ! /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing python3-aiosmtpd with apt-get"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-aiosmtpd >/dev/null) >&2 || true
  fi
  /usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || log "python3-aiosmtpd is missing: email tests will fail under CI and be skipped elsewhere."
fi

# The console's end-to-end tests drive Debian's Chromium with Playwright (its own browser download is not used).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing chromium with apt-get"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) >&2 || true
  fi
  if [ ! -x /usr/bin/chromium ]; then
    if [ "${CI:-}" = "true" ]; then
      log "Chromium could not be installed at /usr/bin/chromium; under CI the console's browser tests must run."
      echo "0 passed, 1 failed"
      exit 1
    fi
    log "Chromium is missing at /usr/bin/chromium (install it as root: apt-get install chromium): the console's browser tests will be skipped."
  fi
fi

if ! start_pg; then
  if [ "${CI:-}" = "true" ]; then
    log "PostgreSQL could not be started; under CI the PostgreSQL tests must run."
    echo "0 passed, 1 failed"
    exit 1
  fi
  log "PostgreSQL could not be started; its tests will be skipped."
fi

results="$work/results"
# -m:1: one test project at a time; the cluster, fault and browser tests are timing-sensitive on two cores.
dotnet test Automation.sln -m:1 --nologo --logger "trx" --results-directory "$results" "$@"
status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  value() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  skipped=$((skipped + $(value notExecuted) + $(value inconclusive)))
done
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then failed=1; log "dotnet test failed before reporting results (see above)"; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
