#!/usr/bin/env bash
# A local 3-node Apache Kafka cluster (KRaft, three processes, each broker and controller) for
# fault drills: topics with replication factor 3 and min.insync.replicas 2 survive one node down.
#   cluster.sh start          format on first use, start the three nodes, wait until all answer
#   cluster.sh stop           stop them
#   cluster.sh kill N         kill -9 node N (1-3)
#   cluster.sh start-node N   start node N again and wait for it
#   cluster.sh bootstrap      print the bootstrap servers (for NEWSSTREAM_BROKER)
# Settings (environment): KAFKA_CLUSTER_DIR (default .kafka/cluster), KAFKA_CLUSTER_BASE_PORT (29092:
# node N listens on base+100*(N-1), its controller on that +1), KAFKA_HEAP (384m per node).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${KAFKA_CLUSTER_DIR:-$root/.kafka/cluster}
base=${KAFKA_CLUSTER_BASE_PORT:-29092}
libs=${KAFKA_LIBS:-$root/.kafka/libs}

port() { echo $((base + 100 * ($1 - 1))); }
voters() { echo "1@127.0.0.1:$(($(port 1) + 1)),2@127.0.0.1:$(($(port 2) + 1)),3@127.0.0.1:$(($(port 3) + 1))"; }

cluster_id() {
  mkdir -p "$dir"
  if [ ! -f "$dir/cluster.id" ]; then
    "$here/kafka.sh" install >/dev/null
    java -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 >"$dir/cluster.id"
  fi
  cat "$dir/cluster.id"
}

node() {  # node N COMMAND
  KAFKA_STATE_DIR="$dir/node$1" KAFKA_PORT=$(port "$1") KAFKA_CONTROLLER_PORT=$(($(port "$1") + 1)) \
    KAFKA_NODE_ID="$1" KAFKA_VOTERS=$(voters) KAFKA_CLUSTER_ID=$(cluster_id) KAFKA_REPLICATION=3 KAFKA_MIN_ISR=2 \
    KAFKA_HEAP=${KAFKA_HEAP:-384m} KAFKA_WAIT_SECONDS=${KAFKA_WAIT_SECONDS:-180} "$here/kafka.sh" "$2"
}

case "${1:-}" in
  start)
    for n in 1 2 3; do node "$n" launch; done  # together: each waits for a quorum of the others
    for n in 1 2 3; do node "$n" wait; done ;;
  stop) for n in 1 2 3; do node "$n" stop; done ;;
  kill) node "${2:?node number}" kill ;;
  start-node) node "${2:?node number}" launch; node "$2" wait ;;
  bootstrap) echo "127.0.0.1:$(port 1),127.0.0.1:$(port 2),127.0.0.1:$(port 3)" ;;
  *) echo "usage: cluster.sh start|stop|kill N|start-node N|bootstrap" >&2; exit 2 ;;
esac
