#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the integration suite (issue 14).
#
#   scripts/pg-cluster.sh start      make a fresh cluster in a temp dir, start
#                                    it, print the dir (env file: DIR/env)
#   scripts/pg-cluster.sh env DIR    print DIR/env as `export` lines (eval-able)
#   scripts/pg-cluster.sh stop DIR   stop the cluster and remove DIR (a dir
#                                    that is gone or stopped is fine)
#
# start installs Debian's `postgresql` when no initdb is found. As root the
# cluster runs as `nobody` (initdb refuses root). It listens on 127.0.0.1 on
# the first free port from $OPWEEK_PG_PORT (default 55400) and on a socket in
# DIR, with TLS (a self-signed certificate for localhost, DIR/server.crt),
# scram-sha-256 passwords over TCP, fsync on and max_connections=100.
#
# DIR/env holds, one KEY=VALUE a line (no quoting needed: the values are hex
# and temp paths), for `set -a; . DIR/env; set +a`:
#   OPWEEK_TEST_PG         postgres://opweek_ci@%2FDIR:PORT/postgres, through the
#                          socket (trust): the suite's thousands of connections
#                          skip TLS and password hashing
#   OPWEEK_TEST_PG_TCP     postgres://opweek_ci:PASSWORD@127.0.0.1:PORT/postgres
#                          (TLS offered, scram-sha-256): for the tests of passwords
#   OPWEEK_TEST_PG_CERT    the server's certificate (a CA file for verify-full)
#   OPWEEK_TEST_PG_DIR     the data directory (pg_ctl -D)
#   OPWEEK_TEST_PG_CTL     the pg_ctl binary
#   OPWEEK_TEST_PG_RUNAS   the user to run pg_ctl as (empty: the current user)
#   OPWEEK_TEST_PG_LOG     the server's log file (pg_ctl -l)
#   OPWEEK_TEST_PG_SOCKET  the directory holding the server's socket
# so a test can stop and start the server:
#   runuser -u "$OPWEEK_TEST_PG_RUNAS" -- "$OPWEEK_TEST_PG_CTL" -D "$OPWEEK_TEST_PG_DIR" -m immediate stop
set -euo pipefail

SUPERUSER=opweek_ci
STARTED_OK=""

die() {
  echo "pg-cluster: $*" >&2
  exit 1
}

# The newest installed server's bin directory, or nothing.
find_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then
    echo "$d"
  fi
}

install_postgresql() {
  echo "pg-cluster: no initdb found; installing Debian's postgresql" >&2
  [ "$(id -u)" = 0 ] || die "no PostgreSQL server installed and not root: apt-get install postgresql"
  # No default cluster on 5432: this script makes its own.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/opweek-ci.conf
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

# Runs a command as the cluster's user (nobody when we are root), from a
# directory it can enter.
as_owner() {
  if [ -n "$RUNAS" ]; then
    (cd "$DIR" && runuser -u "$RUNAS" -- "$@")
  else
    (cd "$DIR" && "$@")
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

cmd_start() {
  local bindir
  bindir=$(find_bindir)
  if [ -z "$bindir" ]; then
    install_postgresql
    bindir=$(find_bindir)
    [ -n "$bindir" ] || die "installed postgresql but found no /usr/lib/postgresql/*/bin/initdb"
  fi
  command -v openssl >/dev/null || die "openssl is needed for the server's certificate"

  RUNAS=""
  if [ "$(id -u)" = 0 ]; then
    RUNAS=nobody
  fi

  local tmp="${TMPDIR:-/tmp}"
  DIR=$(mktemp -d "$tmp/opweek-pg.XXXXXX")
  if [ -n "$RUNAS" ]; then
    chown "$RUNAS:" "$DIR"
    chmod 0755 "$DIR"
    # The cluster's user must reach DIR through every parent (a TMPDIR
    # under /root would not do): fall back to /tmp.
    if ! runuser -u "$RUNAS" -- test -w "$DIR"; then
      rmdir "$DIR"
      DIR=$(mktemp -d /tmp/opweek-pg.XXXXXX)
      chown "$RUNAS:" "$DIR"
      chmod 0755 "$DIR"
    fi
  fi
  # Remove a half-made cluster on any failure.
  trap 'if [ -z "$STARTED_OK" ]; then cmd_stop "$DIR" >/dev/null 2>&1 || true; fi' EXIT

  local data="$DIR/data" log="$DIR/server.log"
  local password
  password=$(openssl rand -hex 16)

  # The superuser's password, readable by the cluster's user only, gone
  # after initdb.
  (umask 077 && printf '%s\n' "$password" >"$DIR/pwfile")
  [ -z "$RUNAS" ] || chown "$RUNAS:" "$DIR/pwfile"
  # C collation: text sorts by bytes, as SQLite's default BINARY does.
  as_owner "$bindir/initdb" -D "$data" -U "$SUPERUSER" --pwfile="$DIR/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C --no-sync >"$DIR/initdb.log" 2>&1 ||
    { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
  rm -f "$DIR/pwfile"

  # A self-signed certificate for localhost; the key 0600, the cluster's.
  (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$DIR/server.key" -out "$DIR/server.crt" 2>/dev/null) ||
    die "openssl could not make the server's certificate"
  chmod 0600 "$DIR/server.key"
  chmod 0644 "$DIR/server.crt"
  [ -z "$RUNAS" ] || chown "$RUNAS:" "$DIR/server.key" "$DIR/server.crt"

  local port="${OPWEEK_PG_PORT:-55400}" tries=0 started=""
  while [ "$tries" -lt 20 ]; do
    if ! port_in_use "$port"; then
      cat >"$DIR/opweek.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR'
ssl = on
ssl_cert_file = '$DIR/server.crt'
ssl_key_file = '$DIR/server.key'
fsync = on
max_connections = 100
EOF
      [ -z "$RUNAS" ] || chown "$RUNAS:" "$DIR/opweek.conf"
      # Set once in postgresql.conf so that a plain `pg_ctl start` (a test
      # restarting the server) gets the same settings.
      if ! grep -q "^include = '$DIR/opweek.conf'" "$data/postgresql.conf"; then
        echo "include = '$DIR/opweek.conf'" >>"$data/postgresql.conf"
      fi
      # Another cluster may take the port between the probe and the start.
      if as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null 2>&1; then
        started=1
        break
      fi
    fi
    port=$((port + 1))
    tries=$((tries + 1))
  done
  if [ -z "$started" ]; then
    [ -f "$log" ] && tail -n 20 "$log" >&2
    die "could not start a server on ports ${OPWEEK_PG_PORT:-55400}..$port"
  fi

  cat >"$DIR/env" <<EOF
OPWEEK_TEST_PG=postgres://$SUPERUSER@${DIR//\//%2F}:$port/postgres
OPWEEK_TEST_PG_TCP=postgres://$SUPERUSER:$password@127.0.0.1:$port/postgres
OPWEEK_TEST_PG_CERT=$DIR/server.crt
OPWEEK_TEST_PG_DIR=$data
OPWEEK_TEST_PG_CTL=$bindir/pg_ctl
OPWEEK_TEST_PG_RUNAS=$RUNAS
OPWEEK_TEST_PG_LOG=$log
OPWEEK_TEST_PG_SOCKET=$DIR
EOF
  chmod 0644 "$DIR/env"
  STARTED_OK=1
  echo "$DIR"
}

# Refuses to remove a directory that is not one of ours.
check_dir() {
  case "$(basename "$1")" in
    opweek-pg.*) ;;
    *) die "$1 is not a cluster made by pg-cluster.sh (opweek-pg.*)" ;;
  esac
}

cmd_stop() {
  local dir="${1:-}"
  [ -n "$dir" ] || die "usage: pg-cluster.sh stop DIR"
  check_dir "$dir"
  [ -d "$dir" ] || return 0
  DIR="$dir"
  RUNAS=""
  if [ "$(id -u)" = 0 ] && [ "$(stat -c %U "$dir")" != root ]; then
    RUNAS=$(stat -c %U "$dir")
  fi
  local bindir
  bindir=$(find_bindir)
  if [ -n "$bindir" ] && [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
      true
  fi
  rm -rf "$dir"
}

cmd_env() {
  local dir="${1:-}"
  [ -n "$dir" ] || die "usage: pg-cluster.sh env DIR"
  [ -f "$dir/env" ] || die "no cluster environment at $dir/env"
  sed 's/^/export /' "$dir/env"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop "${2:-}" ;;
  env) cmd_env "${2:-}" ;;
  *)
    echo "usage: $0 start | env DIR | stop DIR" >&2
    exit 2
    ;;
esac
