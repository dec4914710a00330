#!/usr/bin/env bash
# Installs what the test suite needs that pip cannot: PostgreSQL, Prometheus Alertmanager, promtool
# (from Debian's prometheus package) and Maven (the Kafka broker's jars come from Maven Central).
# Each only when missing; apt needs root. `make test` runs this first, so a fresh Debian machine
# needs nothing else; `make demo` needs only Maven and Java.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null || missing+=(prometheus-alertmanager)
command -v promtool >/dev/null || missing+=(prometheus)
command -v mvn >/dev/null || missing+=(maven)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-test-deps: installing ${missing[*]} from Debian's packages"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: apt needs root: run 'sudo $0' once, or install ${missing[*]} yourself" >&2
  exit 1
fi
apt-get update -qq
# --no-install-recommends: the tests need promtool, not a Prometheus server's extras
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's prometheus package starts a server where a service manager runs; the tests need only promtool
if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null; then
  systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
