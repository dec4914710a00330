#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker (KRaft) from Maven Central jars, without Docker.
#   kafka.sh install   resolve the broker jars once (Maven's cache keeps them for later runs)
#   kafka.sh start     format storage on first use, start the broker in the background, wait
#   kafka.sh wait      wait until the broker answers on its port
#   kafka.sh launch    like start, without waiting (cluster nodes wait for each other)
#   kafka.sh stop      stop the broker started by `start`
#   kafka.sh kill      kill -9 it (fault drills)
#   kafka.sh status    say whether it is running
# Settings (environment): KAFKA_STATE_DIR (default .kafka/node1), KAFKA_PORT (9092),
# KAFKA_CONTROLLER_PORT (19093, clear of Alertmanager's 9093), KAFKA_LIBS (.kafka/libs), KAFKA_HEAP (768m);
# for one node of a cluster (see cluster.sh): KAFKA_NODE_ID (1), KAFKA_VOTERS (this node alone),
# KAFKA_CLUSTER_ID (random), KAFKA_REPLICATION (1), KAFKA_MIN_ISR (1);
# for a secured broker (see secure.sh): KAFKA_EXTRA_PROPERTIES (a file appended to server.properties:
# later keys win) and KAFKA_SCRAM (one --add-scram credential stored when the log is formatted).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
libs=${KAFKA_LIBS:-$root/.kafka/libs}
state=${KAFKA_STATE_DIR:-$root/.kafka/node1}
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-19093}
heap=${KAFKA_HEAP:-768m}
node_id=${KAFKA_NODE_ID:-1}
voters=${KAFKA_VOTERS:-$node_id@127.0.0.1:$controller_port}
replication=${KAFKA_REPLICATION:-1}
min_isr=${KAFKA_MIN_ISR:-1}
pidfile=$state/kafka.pid

log4j="-Dkafka.logs.dir=$state/logs -Dlog4j2.configurationFile=$here/log4j2.properties"

install() {
  if [ -f "$libs/kafka_2.13-4.0.2.jar" ] && ls "$libs"/log4j-core-*.jar >/dev/null 2>&1; then
    return 0
  fi
  command -v mvn >/dev/null || { echo "kafka.sh: Maven (mvn) is needed to fetch the broker jars: apt-get install -y maven" >&2; exit 1; }
  command -v java >/dev/null || { echo "kafka.sh: Java 17+ is needed: apt-get install -y openjdk-17-jre-headless" >&2; exit 1; }
  echo "kafka.sh: resolving Apache Kafka 4.0.2 jars from Maven Central into $libs"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs"
}

answers() {
  # bash's /dev/tcp: true when something accepts connections on the port
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

wait_ready() {
  local deadline=$((SECONDS + ${KAFKA_WAIT_SECONDS:-90}))
  until answers && grep -q "Kafka Server started" "$state/broker.log" 2>/dev/null; do
    if ! running; then
      echo "kafka.sh: the broker exited during start-up; last lines of $state/broker.log:" >&2
      tail -n 30 "$state/broker.log" >&2 || true
      exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "kafka.sh: the broker did not answer on 127.0.0.1:$port in time; see $state/broker.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "kafka.sh: broker ready on 127.0.0.1:$port"
}

reused=0

start() {
  if running; then echo "kafka.sh: already running (pid $(cat "$pidfile"))"; return 0; fi
  if answers; then
    # a broker of the user's own (another checkout, docker compose): nothing of ours to wait for
    echo "kafka.sh: something else already listens on 127.0.0.1:$port; reusing it"
    reused=1
    return 0
  fi
  rm -f "$state/broker.log"  # wait_ready looks for this start's "started" line
  install
  mkdir -p "$state/data" "$state/logs"
  sed -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@DATA_DIR@#$state/data#g" \
    -e "s#@NODE_ID@#$node_id#g" -e "s#@VOTERS@#$voters#g" -e "s#@REPLICATION@#$replication#g" \
    -e "s#@MIN_ISR@#$min_isr#g" "$here/server.properties.template" > "$state/server.properties"
  if [ -n "${KAFKA_EXTRA_PROPERTIES:-}" ]; then cat "$KAFKA_EXTRA_PROPERTIES" >> "$state/server.properties"; fi
  local scram=()
  if [ -n "${KAFKA_SCRAM:-}" ]; then scram=(--add-scram "$KAFKA_SCRAM"); fi
  local cp="$libs/*"
  if [ ! -f "$state/data/meta.properties" ]; then
    local cluster_id
    cluster_id=${KAFKA_CLUSTER_ID:-$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)}
    # shellcheck disable=SC2086
    java $log4j -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$state/server.properties" "${scram[@]}" >"$state/format.log" 2>&1 \
      || { cat "$state/format.log" >&2; exit 1; }
  fi
  # shellcheck disable=SC2086
  nohup java -Xms256m "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    $log4j -cp "$cp" kafka.Kafka "$state/server.properties" >"$state/broker.log" 2>&1 &
  echo $! >"$pidfile"
}

stop() {
  if ! running; then echo "kafka.sh: not running"; rm -f "$pidfile"; return 0; fi
  local pid; pid=$(cat "$pidfile")
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$pidfile"
  echo "kafka.sh: stopped"
}

kill9() {
  if running; then kill -9 "$(cat "$pidfile")"; echo "kafka.sh: killed"; fi
  rm -f "$pidfile"
}

case "${1:-}" in
  install) install ;;
  start) start; [ "$reused" = 1 ] || wait_ready ;;
  launch) start ;;
  kill) kill9 ;;
  wait) wait_ready ;;
  stop) stop ;;
  status) if running; then echo "running (pid $(cat "$pidfile"))"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: kafka.sh install|start|launch|wait|stop|kill|status" >&2; exit 2 ;;
esac
