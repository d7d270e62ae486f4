#!/usr/bin/env bash
# A single OpenSearch node for development and CI, from Maven Central artifacts (see pom.xml).
#
#   engines/opensearch/run.sh up       build (cached), start on 127.0.0.1:$OPENSEARCH_PORT, wait for yellow
#   engines/opensearch/run.sh down     stop the node this script started (by its pid file)
#   engines/opensearch/run.sh status   say whether it answers
#
# Idempotent: `up` leaves a node that already answers alone, `down` does nothing when none runs.
# Data, logs and the pid file live under var/opensearch/ of the repository (gitignored); the Maven
# build output under engines/opensearch/target/ (gitignored), the artifacts in ~/.m2.
# Environment: OPENSEARCH_PORT (9200), OPENSEARCH_TRANSPORT_PORT (9300), OPENSEARCH_HEAP (512m),
# OPENSEARCH_HOME (var/opensearch), JAVA_HOME (a Java 17+ JDK; `java` on PATH otherwise).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

PORT=${OPENSEARCH_PORT:-9200}
TRANSPORT_PORT=${OPENSEARCH_TRANSPORT_PORT:-9300}
HEAP=${OPENSEARCH_HEAP:-512m}
HOME_DIR=${OPENSEARCH_HOME:-$root/var/opensearch}
PIDFILE="$HOME_DIR/node.pid"
LOG="$HOME_DIR/node.log"
CLASSPATH_FILE="$here/target/classpath.txt"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
URL="http://127.0.0.1:$PORT"

say() { printf '[opensearch] %s\n' "$*"; }

answers() { curl -fsS -m 2 "$URL/" 2>/dev/null | grep -q '"distribution" : "opensearch"'; }

healthy() { curl -fsS -m 5 "$URL/_cluster/health?wait_for_status=yellow&timeout=4s" 2>/dev/null | grep -q '"status":"\(yellow\|green\)"'; }

running_pid() {
  # The pid of the node this script started, if that process is still a java process.
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q java "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

rss() { awk '/VmRSS/ {printf "%d MB", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

build() {
  # Rebuild when the pom or the launcher changed (or on a fresh clone); Maven's artifacts stay in ~/.m2.
  local stamp="$here/target/.built"
  if [ -f "$stamp" ] && [ -f "$CLASSPATH_FILE" ] \
     && [ -z "$(find "$here/pom.xml" "$here/src" -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || { say "Maven (mvn) is not installed: apt-get install maven openjdk-17-jdk-headless"; return 1; }
  say "building the node (mvn; the first build downloads ~100 MB into ~/.m2)"
  local start=$SECONDS
  mvn -q -B -Dstyle.color=never -f "$here/pom.xml" compile dependency:build-classpath -Dmdep.outputFile="$CLASSPATH_FILE"
  touch "$stamp"
  say "built in $(( SECONDS - start ))s"
}

up() {
  if answers; then
    healthy || { say "a node answers on $URL but is not yellow"; return 1; }
    say "OpenSearch already answers on $URL"
    return 0
  fi
  build
  mkdir -p "$HOME_DIR"
  local start=$SECONDS pid
  # setsid: the node outlives the shell (make, CI step) that started it and is stopped by `down`.
  setsid "$JAVA" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dfile.encoding=UTF-8 -Dlog4j2.disable.jmx=true \
    -Dos.home="$HOME_DIR" -Dos.http.port="$PORT" -Dos.transport.port="$TRANSPORT_PORT" \
    -cp "$here/target/classes:$(cat "$CLASSPATH_FILE")" network.engines.OpenSearchNode \
    >"$LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PIDFILE"
  say "starting OpenSearch (pid $pid, heap $HEAP, data $HOME_DIR/data, log $LOG)"
  while ! healthy; do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "the node exited; last lines of $LOG:"
      tail -n 30 "$LOG" >&2
      rm -f "$PIDFILE"
      return 1
    fi
    if (( SECONDS - start >= ${OPENSEARCH_START_TIMEOUT:-180} )); then
      say "no yellow cluster within ${OPENSEARCH_START_TIMEOUT:-180}s; last lines of $LOG:"
      tail -n 30 "$LOG" >&2
      return 1
    fi
    sleep 0.5
  done
  say "OpenSearch $(curl -fsS "$URL/" | sed -n 's/.*"number" : "\([^"]*\)".*/\1/p') answers on $URL: started in $(( SECONDS - start ))s, resident memory $(rss "$pid")"
}

down() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PIDFILE"
    answers && say "a node answers on $URL but was not started from $HOME_DIR; left alone" || say "OpenSearch is not running"
    return 0
  fi
  say "stopping OpenSearch (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid still alive after 60s; killing it"
    kill -KILL "$pid" || true
  fi
  rm -f "$PIDFILE"
  say "stopped"
}

status() {
  local pid
  if answers; then
    pid=$(running_pid || true)
    say "OpenSearch answers on $URL${pid:+ (pid $pid, resident memory $(rss "$pid"))}"
  else
    say "OpenSearch is down"
    return 1
  fi
}

case "${1:-status}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
