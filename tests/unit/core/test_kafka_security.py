"""Kafka security settings without a broker: what each protocol needs, secrets read from files,
TLS material checked at start-up, the options each client library gets, and secrets masked in logs."""

from __future__ import annotations

import logging
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from streams.config import load_settings
from streams.core.errors import ConfigError
from streams.core.kafka_security import KafkaSecurity, tls_problem
from streams.runtime.apps import broker_credentials
from streams.runtime.log_redaction import install_secret_redaction, redact


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1, and a client certificate with an encrypted key."""
    d = tmp_path_factory.mktemp("tls")
    (d / "key-password").write_text("correct horse battery staple\n")
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(d / "ca.key"),
        "-out",
        str(d / "ca.pem"),
        "-days",
        "2",
        "-subj",
        "/CN=unit test CA",
    )
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for name, key_args in (("server", ["-nodes"]), ("client", ["-passout", f"file:{d / 'key-password'}"])):
        _openssl(
            "req",
            "-newkey",
            "rsa:2048",
            *key_args,
            "-keyout",
            str(d / f"{name}.key"),
            "-out",
            str(d / f"{name}.csr"),
            "-subj",
            f"/CN={name}",
        )
        _openssl(
            "x509",
            "-req",
            "-in",
            str(d / f"{name}.csr"),
            "-CA",
            str(d / "ca.pem"),
            "-CAkey",
            str(d / "ca.key"),
            "-CAcreateserial",
            "-out",
            str(d / f"{name}.crt"),
            "-days",
            "2",
            "-extfile",
            str(d / "san.ext"),
        )
    return {p.name: p for p in d.iterdir()}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    import os

    for name in list(os.environ):
        if name.startswith("NEWSSTREAM_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_plaintext_is_the_default_and_asks_for_nothing(clean_env):
    security = load_settings().kafka_security
    assert security.protocol == "PLAINTEXT"
    assert security.kafka_python_options() == {"security_protocol": "PLAINTEXT"}
    assert broker_credentials(security) is None


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"kafka_security_protocol": "SASL_SSL"}, "NEWSSTREAM_KAFKA_SASL_USERNAME"),
        ({"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "u"}, "NEWSSTREAM_KAFKA_SASL_PASSWORD"),
        (
            {
                "kafka_security_protocol": "SASL_SSL",
                "kafka_sasl_username": "u",
                "kafka_sasl_password": "p" * 8,
                "kafka_sasl_mechanism": "GSSAPI",
            },
            "NEWSSTREAM_KAFKA_SASL_MECHANISM",
        ),
        ({"kafka_security_protocol": "TLS"}, "NEWSSTREAM_KAFKA_SECURITY_PROTOCOL"),
        (
            {"kafka_sasl_username": "u", "kafka_sasl_password": "p" * 8},
            "NEWSSTREAM_KAFKA_SECURITY_PROTOCOL is PLAINTEXT",
        ),
        ({"kafka_ssl_cafile": "/etc/hostname"}, "NEWSSTREAM_KAFKA_SSL_CAFILE"),
        ({"kafka_security_protocol": "SSL", "kafka_ssl_cafile": "/nonexistent/ca.pem"}, "NEWSSTREAM_KAFKA_SSL_CAFILE"),
        ({"kafka_security_protocol": "SSL", "kafka_ssl_cafile": "/etc/hostname"}, "no CA certificate"),
        ({"broker": "kafka://admin:hunter22@127.0.0.1:9092"}, "credentials do not belong in the broker URL"),
    ],
)
def test_unusable_security_settings_fail_naming_the_setting(clean_env, settings, named):
    with pytest.raises(ConfigError, match=named) as raised:
        load_settings(**settings)
    assert "hunter22" not in str(raised.value)


def test_a_client_certificate_needs_its_key_password(clean_env, tls_files):
    base = {
        "kafka_security_protocol": "SSL",
        "kafka_ssl_cafile": str(tls_files["ca.pem"]),
        "kafka_ssl_certfile": str(tls_files["client.crt"]),
        "kafka_ssl_keyfile": str(tls_files["client.key"]),
    }
    with pytest.raises(ConfigError, match="encrypted and no password"):
        load_settings(**base)
    with pytest.raises(ConfigError, match="could not be loaded together"):
        load_settings(**base, kafka_ssl_key_password="wrong password")
    with pytest.raises(ConfigError, match="could not be loaded together"):
        load_settings(**{**base, "kafka_ssl_keyfile": str(tls_files["server.key"])})  # not the certificate's key
    settings = load_settings(**base, kafka_ssl_key_password_file=str(tls_files["key-password"]))
    context = settings.kafka_security.ssl_context()
    assert isinstance(context, ssl.SSLContext) and context.check_hostname
    credentials = broker_credentials(settings.kafka_security)
    assert credentials is not None and credentials.protocol.value == "SSL"


def test_secrets_come_from_files_without_their_newline(clean_env, tmp_path):
    password = tmp_path / "scram"
    password.write_text("s3cret-from-a-file\n")
    clean_env.setenv("NEWSSTREAM_KAFKA_SASL_PASSWORD_FILE", str(password))
    clean_env.setenv("NEWSSTREAM_KAFKA_SECURITY_PROTOCOL", "sasl_plaintext")
    clean_env.setenv("NEWSSTREAM_KAFKA_SASL_USERNAME", "ingest")
    settings = load_settings()
    assert settings.kafka_sasl_password is not None
    assert settings.kafka_sasl_password.get_secret_value() == "s3cret-from-a-file"
    assert "s3cret" not in repr(settings) and "s3cret" not in settings.kafka_security.describe()
    options = settings.kafka_security.kafka_python_options()
    assert options == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "ingest",
        "sasl_plain_password": "s3cret-from-a-file",
    }
    credentials = broker_credentials(settings.kafka_security)
    assert credentials is not None and "s3cret" not in repr(credentials)
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert settings.secret_values() == ["s3cret-from-a-file"]


def test_a_secret_given_twice_or_from_a_missing_file_is_refused(clean_env, tmp_path):
    clean_env.setenv("NEWSSTREAM_PUSH_TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="NEWSSTREAM_PUSH_TOKEN_FILE: cannot read"):
        load_settings()
    (tmp_path / "token").write_text("abc")
    clean_env.setenv("NEWSSTREAM_PUSH_TOKEN_FILE", str(tmp_path / "token"))
    clean_env.setenv("NEWSSTREAM_PUSH_TOKEN", "abc")
    with pytest.raises(ConfigError, match="both set"):
        load_settings()


def test_url_passwords_are_masked_wherever_they_appear():
    line = "cannot connect to postgresql://newsstream:pg-pass-1234@db:5432/newsstream (timeout)"
    assert redact(line, []) == "cannot connect to postgresql://newsstream:***@db:5432/newsstream (timeout)"
    assert redact("topic newsstream.articles at kafka://127.0.0.1:9092", []) == (
        "topic newsstream.articles at kafka://127.0.0.1:9092"  # host:port is not a credential
    )


def test_redaction_masks_secrets_in_every_log_record(caplog):
    assert redact("login alpha-beta-gamma then alpha", ["alpha-beta-gamma", "alpha"]) == "login *** then ***"
    install_secret_redaction(["unit-test-secret-value"])
    with caplog.at_level(logging.DEBUG, logger="kafka.admin.client"):
        logging.getLogger("kafka.admin.client").debug("config: %s", {"sasl_plain_password": "unit-test-secret-value"})
    assert "unit-test-secret-value" not in caplog.text and "***" in caplog.text


@pytest.fixture
def tls_server(tls_files: dict[str, Path]) -> Iterator[tuple[int, list[str]]]:
    """A TLS server on loopback that presents the server certificate; it requires a client
    certificate when told to by the list it yields (an empty list: it does not)."""
    mode: list[str] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_files["server.crt"], tls_files["server.key"])
            if mode:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(tls_files["ca.pem"])
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.settimeout(2)
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port, mode
    listener.close()


def test_the_tls_probe_says_what_is_wrong_in_words(tls_server, tls_files):
    port, require_client_certificate = tls_server
    trusted = KafkaSecurity(protocol="SSL", ssl_cafile=tls_files["ca.pem"])
    assert tls_problem("127.0.0.1", port, trusted) is None
    problem = tls_problem("127.0.0.1", port, KafkaSecurity(protocol="SSL"))
    assert problem is not None and "not trusted" in problem and "NEWSSTREAM_KAFKA_SSL_CAFILE" in problem
    require_client_certificate.append("yes")
    problem = tls_problem("127.0.0.1", port, trusted)
    assert problem is not None and "NEWSSTREAM_KAFKA_SSL_CERTFILE" in problem
    with_certificate = KafkaSecurity(
        protocol="SSL",
        ssl_cafile=tls_files["ca.pem"],
        ssl_certfile=tls_files["client.crt"],
        ssl_keyfile=tls_files["client.key"],
        ssl_key_password=SecretStr(tls_files["key-password"].read_text().strip()),
    )
    assert tls_problem("127.0.0.1", port, with_certificate) is None


def test_a_plaintext_port_is_named_as_not_speaking_tls(tls_files):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def answer_in_plaintext() -> None:
        conn, _ = listener.accept()
        conn.recv(1024)
        conn.sendall(b"\x00\x00\x00\x10not a tls record at all")
        conn.close()

    threading.Thread(target=answer_in_plaintext, daemon=True).start()
    problem = tls_problem("127.0.0.1", port, KafkaSecurity(protocol="SSL", ssl_cafile=tls_files["ca.pem"]))
    listener.close()
    assert problem is not None and ("does not speak TLS" in problem or "closed the TLS connection" in problem)


def test_tracebacks_are_masked_too_and_long_lines_stay_cheap(caplog):
    install_secret_redaction([])
    try:
        raise ConnectionError("cannot reach postgresql://ingest:tb-secret-99@db:5432/news")
    except ConnectionError:
        with caplog.at_level(logging.ERROR, logger="streams.test"):
            logging.getLogger("streams.test").exception("storage failed")
    assert "tb-secret-99" not in caplog.text and "postgresql://ingest:***@db" in caplog.text
    # a long URL-like line (a hostile feed link) is scanned in linear time, not quadratic
    line = "http://" + "a" * 200_000 + ":" + "b" * 200_000
    assert redact(line, []) == line
