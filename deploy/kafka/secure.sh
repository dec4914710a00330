#!/usr/bin/env bash
# A single Apache Kafka broker with the two secured listeners production clusters use, for trying
# newsstream's Kafka security settings (and for its tests):
#   SASL_SSL  on KAFKA_SASL_SSL_PORT (19294): TLS, then a SCRAM-SHA-512 login
#   SSL       on KAFKA_MTLS_PORT     (19295): TLS with a client certificate required (mutual TLS)
# It makes a throw-away certificate authority, a broker certificate for 127.0.0.1/localhost, a
# client certificate (its key encrypted with a password) and one SCRAM user, all under the state
# directory. The plaintext listener (KAFKA_PORT, 19292) stays on 127.0.0.1 for the broker's own use.
#   secure.sh start    make the certificates on first use, start the broker, wait until it answers
#   secure.sh stop     stop it
#   secure.sh env      print the NEWSSTREAM_* settings for each listener (shell syntax)
# Settings (environment): KAFKA_STATE_DIR (default .kafka/secure), KAFKA_SCRAM_USER (newsstream),
# the ports above (kept below Linux's ephemeral port range, 32768-60999). The generated passwords are in $KAFKA_STATE_DIR/secrets/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
state=${KAFKA_STATE_DIR:-$root/.kafka/secure}
plain_port=${KAFKA_PORT:-19292}
controller_port=${KAFKA_CONTROLLER_PORT:-19293}
sasl_port=${KAFKA_SASL_SSL_PORT:-19294}
mtls_port=${KAFKA_MTLS_PORT:-19295}
user=${KAFKA_SCRAM_USER:-newsstream}
tls=$state/tls
secrets=$state/secrets

random_secret() { openssl rand -hex 16; }

make_certificates() {
  [ -f "$tls/client.key" ] && return 0
  command -v openssl >/dev/null || { echo "secure.sh: openssl is needed: apt-get install -y openssl" >&2; exit 1; }
  mkdir -p "$tls" "$secrets"
  chmod 700 "$secrets"
  random_secret >"$secrets/scram-password"
  random_secret >"$secrets/client-key-password"
  local quiet=(-days 3650 -sha256)
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tls/ca.key" -out "$tls/ca.pem" "${quiet[@]}" \
    -subj "/CN=newsstream test CA" 2>/dev/null
  # the broker: a certificate for the names clients dial (hostname verification stays on)
  openssl req -newkey rsa:2048 -nodes -keyout "$tls/broker.key" -out "$tls/broker.csr" -subj "/CN=localhost" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' >"$tls/broker.ext"
  openssl x509 -req -in "$tls/broker.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -out "$tls/broker.crt" -extfile "$tls/broker.ext" "${quiet[@]}" 2>/dev/null
  # Kafka's PEM key store: the unencrypted PKCS#8 key followed by the certificate chain
  cat "$tls/broker.key" "$tls/broker.crt" "$tls/ca.pem" >"$tls/broker-keystore.pem"
  # the client: its key encrypted, so the key password setting is exercised too
  openssl req -newkey rsa:2048 -keyout "$tls/client.key" -out "$tls/client.csr" -subj "/CN=$user" \
    -passout "file:$secrets/client-key-password" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' >"$tls/client.ext"
  openssl x509 -req -in "$tls/client.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -out "$tls/client.crt" -extfile "$tls/client.ext" "${quiet[@]}" 2>/dev/null
  chmod 600 "$tls"/*.key "$tls/broker-keystore.pem"
}

write_properties() {
  local jaas="org.apache.kafka.common.security.scram.ScramLoginModule required;"
  cat >"$state/secure.properties" <<EOF
listeners=PLAINTEXT://127.0.0.1:$plain_port,CONTROLLER://127.0.0.1:$controller_port,SASL_SSL://127.0.0.1:$sasl_port,MTLS://127.0.0.1:$mtls_port
advertised.listeners=PLAINTEXT://127.0.0.1:$plain_port,CONTROLLER://127.0.0.1:$controller_port,SASL_SSL://127.0.0.1:$sasl_port,MTLS://127.0.0.1:$mtls_port
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,MTLS:SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$jaas
ssl.keystore.type=PEM
ssl.keystore.location=$tls/broker-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$tls/ca.pem
listener.name.mtls.ssl.client.auth=required
EOF
}

node() {
  KAFKA_STATE_DIR="$state" KAFKA_PORT=$plain_port KAFKA_CONTROLLER_PORT=$controller_port \
    KAFKA_EXTRA_PROPERTIES="$state/secure.properties" \
    KAFKA_SCRAM="SCRAM-SHA-512=[name=$user,password=$(cat "$secrets/scram-password" 2>/dev/null || true)]" \
    "$here/kafka.sh" "$1"
}

print_env() {
  cat <<EOF
# SASL_SSL with SCRAM-SHA-512
NEWSSTREAM_BROKER=kafka://127.0.0.1:$sasl_port
NEWSSTREAM_KAFKA_SECURITY_PROTOCOL=SASL_SSL
NEWSSTREAM_KAFKA_SASL_MECHANISM=SCRAM-SHA-512
NEWSSTREAM_KAFKA_SASL_USERNAME=$user
NEWSSTREAM_KAFKA_SASL_PASSWORD_FILE=$secrets/scram-password
NEWSSTREAM_KAFKA_SSL_CAFILE=$tls/ca.pem
# or mutual TLS:
# NEWSSTREAM_BROKER=kafka://127.0.0.1:$mtls_port
# NEWSSTREAM_KAFKA_SECURITY_PROTOCOL=SSL
# NEWSSTREAM_KAFKA_SSL_CAFILE=$tls/ca.pem
# NEWSSTREAM_KAFKA_SSL_CERTFILE=$tls/client.crt
# NEWSSTREAM_KAFKA_SSL_KEYFILE=$tls/client.key
# NEWSSTREAM_KAFKA_SSL_KEY_PASSWORD_FILE=$secrets/client-key-password
EOF
}

case "${1:-}" in
  start) mkdir -p "$state"; make_certificates; write_properties; node start ;;
  stop) node stop ;;
  env) print_env ;;
  *) echo "usage: secure.sh start|stop|env" >&2; exit 2 ;;
esac
