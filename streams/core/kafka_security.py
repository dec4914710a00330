"""How newsstream's Kafka clients authenticate and encrypt: one description, turned into the
options of each client library (kafka-python for the CLI and producers, aiokafka under Faust).

PLAINTEXT (the default, for a broker on loopback), SSL (TLS; with a client certificate this is
mutual TLS), SASL_PLAINTEXT and SASL_SSL (a PLAIN or SCRAM login, over TLS for SASL_SSL).
Secrets are held as SecretStr and handed to the client libraries only, never to logs.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


@dataclass(frozen=True)
class KafkaSecurity:
    protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    ssl_key_password: SecretStr | None = None
    ssl_check_hostname: bool = True

    @property
    def uses_tls(self) -> bool:
        return self.protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        return self.protocol in ("SASL_PLAINTEXT", "SASL_SSL")

    def problems(self) -> list[str]:
        """What is missing or contradictory, each naming the setting to fix (empty: usable)."""
        found = []
        if self.protocol not in PROTOCOLS:
            found.append(f"NEWSSTREAM_KAFKA_SECURITY_PROTOCOL: {self.protocol!r} is not one of {', '.join(PROTOCOLS)}")
            return found
        if self.uses_sasl:
            if self.sasl_mechanism not in SASL_MECHANISMS:
                found.append(
                    f"NEWSSTREAM_KAFKA_SASL_MECHANISM: {self.sasl_mechanism!r} is not one of "
                    + ", ".join(SASL_MECHANISMS)
                )
            if not self.sasl_username:
                found.append(f"NEWSSTREAM_KAFKA_SASL_USERNAME: required with {self.protocol}")
            if self.sasl_password is None or not self.sasl_password.get_secret_value():
                found.append(
                    "NEWSSTREAM_KAFKA_SASL_PASSWORD (or NEWSSTREAM_KAFKA_SASL_PASSWORD_FILE): "
                    f"required with {self.protocol}"
                )
        elif self.sasl_username or self.sasl_password:
            found.append(
                "NEWSSTREAM_KAFKA_SASL_USERNAME/PASSWORD are set but NEWSSTREAM_KAFKA_SECURITY_PROTOCOL is "
                f"{self.protocol}: use SASL_SSL (or SASL_PLAINTEXT) so they are used"
            )
        tls_files = {
            "NEWSSTREAM_KAFKA_SSL_CAFILE": self.ssl_cafile,
            "NEWSSTREAM_KAFKA_SSL_CERTFILE": self.ssl_certfile,
            "NEWSSTREAM_KAFKA_SSL_KEYFILE": self.ssl_keyfile,
        }
        if not self.uses_tls:
            named = [name for name, path in tls_files.items() if path is not None]
            if named:
                found.append(
                    f"{', '.join(named)} set but NEWSSTREAM_KAFKA_SECURITY_PROTOCOL is {self.protocol}: "
                    "use SSL (or SASL_SSL) so TLS is used"
                )
            return found
        for name, path in tls_files.items():
            try:
                readable = path is None or path.is_file()
            except OSError:  # a folder on the way that may not be read
                readable = False
            if not readable:
                found.append(f"{name}: {path} is not a readable file")
        if self.ssl_keyfile is not None and self.ssl_certfile is None:
            found.append("NEWSSTREAM_KAFKA_SSL_CERTFILE: required with NEWSSTREAM_KAFKA_SSL_KEYFILE")
        if not found:
            found.extend(self._tls_file_problems())
        return found

    def _tls_file_problems(self) -> list[str]:
        # load each file on its own, so the message names the one that is wrong
        try:
            context = ssl.create_default_context(cafile=str(self.ssl_cafile) if self.ssl_cafile else None)
        except (ssl.SSLError, OSError) as exc:
            return [f"NEWSSTREAM_KAFKA_SSL_CAFILE: no CA certificate could be read from it ({_ssl_reason(exc)})"]
        if self.ssl_certfile is None:
            return []
        try:
            self._load_client_certificate(context)
        except _KeyEncrypted:
            return ["NEWSSTREAM_KAFKA_SSL_KEY_PASSWORD (or …_FILE): the client key is encrypted and no password is set"]
        except (ssl.SSLError, OSError) as exc:
            return [
                "NEWSSTREAM_KAFKA_SSL_CERTFILE / NEWSSTREAM_KAFKA_SSL_KEYFILE / NEWSSTREAM_KAFKA_SSL_KEY_PASSWORD: "
                f"the client certificate and key could not be loaded together ({_ssl_reason(exc)}): a wrong key "
                "password, a key that is not the certificate's, or a file that is not PEM"
            ]
        return []

    def _load_client_certificate(self, context: ssl.SSLContext) -> None:
        password = self.ssl_key_password.get_secret_value() if self.ssl_key_password else None
        context.load_cert_chain(
            str(self.ssl_certfile),
            str(self.ssl_keyfile) if self.ssl_keyfile else None,
            password=password or _no_password_prompt,
        )

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context both client libraries use (None without TLS): verifies the broker
        against the CA file (or the system's CAs), presents the client certificate if one is set."""
        if not self.uses_tls:
            return None
        context = ssl.create_default_context(cafile=str(self.ssl_cafile) if self.ssl_cafile else None)
        context.check_hostname = self.ssl_check_hostname
        if self.ssl_certfile is not None:
            self._load_client_certificate(context)
        return context

    def kafka_python_options(self) -> dict[str, Any]:
        """Keyword arguments for kafka-python's clients."""
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.uses_tls:
            options["ssl_context"] = self.ssl_context()
        if self.uses_sasl:
            options.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.sasl_username,
                sasl_plain_password=self.sasl_password.get_secret_value() if self.sasl_password else None,
            )
        return options

    def describe(self) -> str:
        """For logs and errors: what is used, never a secret."""
        parts = [self.protocol]
        if self.uses_sasl:
            parts.append(f"{self.sasl_mechanism} as {self.sasl_username}")
        if self.ssl_certfile is not None:
            parts.append("client certificate")
        return ", ".join(parts)


class _KeyEncrypted(ValueError):
    pass


def _no_password_prompt() -> str:
    # without a password callback OpenSSL would prompt on the terminal for an encrypted key
    raise _KeyEncrypted("the client key is encrypted: set NEWSSTREAM_KAFKA_SSL_KEY_PASSWORD(_FILE)")


def _ssl_reason(exc: Exception) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return f"{exc.reason} ({exc.library or 'ssl'})"
    return str(exc) or type(exc).__name__


def tls_problem(host: str, port: int, security: KafkaSecurity, timeout: float = 5.0) -> str | None:
    """Shake hands with one broker as the clients will, and say in words what went wrong, if
    anything: the client libraries report a failed handshake only as a bootstrap timeout."""
    context = security.ssl_context()
    if context is None:
        return None
    address = f"{host}:{port}"
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            # TLS 1.3 servers refuse a missing client certificate after the handshake: read briefly
            tls.settimeout(min(timeout, 1.0))
            with contextlib.suppress(TimeoutError):
                tls.recv(1)
    except ssl.SSLCertVerificationError as exc:
        if "hostname" in str(exc).lower() or "ip address mismatch" in str(exc).lower():
            return (
                f"the certificate of {address} is not for that name ({exc.verify_message}): connect by a name "
                "it carries, or set NEWSSTREAM_KAFKA_SSL_CHECK_HOSTNAME=false"
            )
        return (
            f"the certificate of {address} is not trusted ({exc.verify_message}): set NEWSSTREAM_KAFKA_SSL_CAFILE "
            "to the CA that signed it"
        )
    except ssl.SSLError as exc:
        reason = (exc.reason or str(exc)).lower()
        if "certificate_required" in reason or "alert_bad_certificate" in reason or "handshake_failure" in reason:
            return (
                f"{address} refused the TLS connection ({exc.reason}): it wants a client certificate its CA "
                "accepts; set NEWSSTREAM_KAFKA_SSL_CERTFILE and NEWSSTREAM_KAFKA_SSL_KEYFILE"
            )
        if "wrong_version_number" in reason or "record_layer" in reason or "packet_length_too_long" in reason:
            return (
                f"{address} does not speak TLS on that port: check NEWSSTREAM_BROKER and "
                "NEWSSTREAM_KAFKA_SECURITY_PROTOCOL"
            )
        return f"TLS with {address} failed: {exc.reason or exc}"
    except OSError as exc:
        if "EOF" in str(exc) or isinstance(exc, ConnectionResetError):
            return (
                f"{address} closed the TLS connection: it may want a client certificate "
                "(NEWSSTREAM_KAFKA_SSL_CERTFILE) or not speak TLS on that port"
            )
        return None  # not reachable at all: the reachability check says so in its own words
    return None
