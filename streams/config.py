"""One frozen settings object, read once at start-up from NEWSSTREAM_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from streams.core.errors import ConfigError
from streams.core.kafka_security import KafkaSecurity


class Settings(BaseSettings):
    """Every knob of newsstream. Each field reads NEWSSTREAM_<FIELD NAME> (upper case)."""

    model_config = SettingsConfigDict(env_prefix="NEWSSTREAM_", frozen=True, extra="ignore")

    broker: str = Field(
        "kafka://127.0.0.1:9092", description="NEWSSTREAM_BROKER: Kafka bootstrap URL(s), comma-separated"
    )
    app_id: str = Field(
        "newsstream",
        description="NEWSSTREAM_APP_ID: prefix of the consumer groups "
        "(<app id>-enrich, -alert, -store, -notify-<name>)",
    )
    roles: str = Field(
        "all",
        description="NEWSSTREAM_ROLES: what this worker runs, comma-separated: enrich, alert, store, notify, or all",
    )
    topic_articles: str = Field("news.articles", description="NEWSSTREAM_TOPIC_ARTICLES")
    topic_enriched: str = Field("news.enriched", description="NEWSSTREAM_TOPIC_ENRICHED")
    topic_alerts: str = Field("news.alerts", description="NEWSSTREAM_TOPIC_ALERTS")
    topic_deadletter: str = Field("news.deadletter", description="NEWSSTREAM_TOPIC_DEADLETTER")
    topic_partitions: int = Field(4, ge=1, description="NEWSSTREAM_TOPIC_PARTITIONS: partitions of topics it creates")
    topic_replication: int = Field(1, ge=1, description="NEWSSTREAM_TOPIC_REPLICATION")
    database_url: str = Field(
        "sqlite:///data/newsstream.db", description="NEWSSTREAM_DATABASE_URL: sqlite:///… or postgresql://…"
    )
    alert_rules: Path | None = Field(
        None, description="NEWSSTREAM_ALERT_RULES: YAML rules file; the built-in default if unset"
    )
    webhook_url: str | None = Field(None, description="NEWSSTREAM_WEBHOOK_URL: POST every alert here as JSON")
    webhook_token: SecretStr | None = Field(None, description="NEWSSTREAM_WEBHOOK_TOKEN: sent as a bearer token")
    webhook_format: str = Field(
        "json", pattern="^(json|slack)$", description="NEWSSTREAM_WEBHOOK_FORMAT: json or slack"
    )
    alertmanager_url: str | None = Field(
        None, description="NEWSSTREAM_ALERTMANAGER_URL: Alertmanager base URL (API v2)"
    )
    schema_registry_url: str | None = Field(
        None, description="NEWSSTREAM_SCHEMA_REGISTRY_URL: Confluent framing if set"
    )
    web_host: str = Field("127.0.0.1", description="NEWSSTREAM_WEB_HOST: bind address of /metrics")
    web_port: int = Field(6066, ge=0, le=65535, description="NEWSSTREAM_WEB_PORT: port of /metrics")
    data_dir: Path = Field(Path("data/worker"), description="NEWSSTREAM_DATA_DIR: Faust state; one per worker")
    batch_size: int = Field(32, ge=1, le=10_000, description="NEWSSTREAM_BATCH_SIZE: articles per NLP batch")
    nlp_executor: str = Field(
        "process",
        pattern="^(process|thread)$",
        description="NEWSSTREAM_NLP_EXECUTOR: run spaCy in a child process (a core of its own) or in a thread",
    )
    batch_seconds: float = Field(
        0.1, gt=0, description="NEWSSTREAM_BATCH_SECONDS: longest wait to fill a batch (each stage adds up to this)"
    )
    max_body_chars: int = Field(
        200_000, ge=1000, description="NEWSSTREAM_MAX_BODY_CHARS: longer bodies are dead-lettered"
    )
    story_horizon_hours: float = Field(
        72.0, gt=0, description="NEWSSTREAM_STORY_HORIZON_HOURS: how long a story stays open"
    )
    session_timeout: float = Field(
        15.0, gt=1, description="NEWSSTREAM_SESSION_TIMEOUT: seconds before a silent worker is evicted"
    )
    log_level: str = Field("info", description="NEWSSTREAM_LOG_LEVEL")
    liveness_timeout: float = Field(
        120.0,
        ge=0,
        description="NEWSSTREAM_LIVENESS_TIMEOUT: seconds a partition may have lag without a commit "
        "before the worker counts as stalled (0: never)",
    )
    liveness_action: str = Field(
        "exit",
        pattern="^(exit|report)$",
        description="NEWSSTREAM_LIVENESS_ACTION: exit (non-zero, for a supervisor to restart it) or report "
        "(only /healthz answers 503)",
    )
    # --- ingestion: HTTP push (`newsstream serve`) ---
    push_host: str = Field("127.0.0.1", description="NEWSSTREAM_PUSH_HOST: bind address of POST /articles")
    push_port: int = Field(8088, ge=0, le=65535, description="NEWSSTREAM_PUSH_PORT: port of POST /articles")
    push_token: SecretStr | None = Field(
        None, description="NEWSSTREAM_PUSH_TOKEN: bearer token POST /articles requires (required to serve)"
    )
    push_max_bytes: int = Field(
        4 * 1024 * 1024, ge=1024, description="NEWSSTREAM_PUSH_MAX_BYTES: largest request body accepted"
    )
    push_max_batch: int = Field(500, ge=1, description="NEWSSTREAM_PUSH_MAX_BATCH: most articles in one request")
    # --- the query API (`newsstream web`) ---
    api_host: str = Field(
        "127.0.0.1", description="NEWSSTREAM_API_HOST: bind address of the query API (another needs API tokens)"
    )
    api_port: int = Field(8080, ge=0, le=65535, description="NEWSSTREAM_API_PORT: port of the query API")
    api_tokens: SecretStr | None = Field(
        None,
        description="NEWSSTREAM_API_TOKENS (or …_FILE): comma-separated bearer tokens /api/v1 accepts; "
        "unset: open, and only a loopback bind is allowed",
    )
    api_cors_origins: str = Field(
        "", description="NEWSSTREAM_API_CORS_ORIGINS: comma-separated origins allowed to call the API from a browser"
    )
    api_pool_size: int = Field(4, ge=1, le=64, description="NEWSSTREAM_API_POOL_SIZE: database connections it holds")
    # --- ingestion: feeds (`newsstream ingest --feeds`) ---
    user_agent: str = Field(
        "newsstream/0.1 (+https://github.com/newsstream/newsstream)",
        description="NEWSSTREAM_USER_AGENT: sent with every feed and page request",
    )
    fetch_timeout: float = Field(20.0, gt=0, description="NEWSSTREAM_FETCH_TIMEOUT: seconds per HTTP request")
    fetch_max_bytes: int = Field(
        5 * 1024 * 1024, ge=1024, description="NEWSSTREAM_FETCH_MAX_BYTES: larger feeds and pages are refused"
    )
    feed_memory_days: float = Field(
        30.0, gt=0, description="NEWSSTREAM_FEED_MEMORY_DAYS: how long feeds.sqlite remembers an item as seen"
    )
    fetch_allow_private_addresses: bool = Field(
        False,
        description="NEWSSTREAM_FETCH_ALLOW_PRIVATE_ADDRESSES: let feed item links and redirects reach private, "
        "loopback and link-local addresses (the feed URLs' own hosts always may)",
    )
    per_host_concurrency: int = Field(2, ge=1, description="NEWSSTREAM_PER_HOST_CONCURRENCY: requests at once per host")
    per_host_interval: float = Field(
        1.0, ge=0, description="NEWSSTREAM_PER_HOST_INTERVAL: least seconds between requests to one host"
    )
    # --- languages the English pipeline cannot code ---
    other_languages: str = Field(
        "route",
        pattern="^(route|deadletter|enrich)$",
        description="NEWSSTREAM_OTHER_LANGUAGES: non-English articles are routed to the topic below, "
        "dead-lettered, or enriched anyway",
    )
    topic_other_languages: str = Field("news.articles.other-languages", description="NEWSSTREAM_TOPIC_OTHER_LANGUAGES")
    # --- Kafka security (see streams/kafka_security.py); every secret may come from a file named
    # by NEWSSTREAM_<SETTING>_FILE instead of the variable itself ---
    kafka_security_protocol: str = Field(
        "PLAINTEXT", description="NEWSSTREAM_KAFKA_SECURITY_PROTOCOL: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"
    )
    kafka_sasl_mechanism: str = Field(
        "SCRAM-SHA-512", description="NEWSSTREAM_KAFKA_SASL_MECHANISM: SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN"
    )
    kafka_sasl_username: str | None = Field(None, description="NEWSSTREAM_KAFKA_SASL_USERNAME")
    kafka_sasl_password: SecretStr | None = Field(
        None, description="NEWSSTREAM_KAFKA_SASL_PASSWORD (or NEWSSTREAM_KAFKA_SASL_PASSWORD_FILE)"
    )
    kafka_ssl_cafile: Path | None = Field(
        None, description="NEWSSTREAM_KAFKA_SSL_CAFILE: PEM CA bundle the broker certificate must chain to"
    )
    kafka_ssl_certfile: Path | None = Field(
        None, description="NEWSSTREAM_KAFKA_SSL_CERTFILE: PEM client certificate, for brokers that require one"
    )
    kafka_ssl_keyfile: Path | None = Field(
        None, description="NEWSSTREAM_KAFKA_SSL_KEYFILE: PEM key of that certificate"
    )
    kafka_ssl_key_password: SecretStr | None = Field(
        None, description="NEWSSTREAM_KAFKA_SSL_KEY_PASSWORD (or …_FILE): password of an encrypted key"
    )
    kafka_ssl_check_hostname: bool = Field(
        True, description="NEWSSTREAM_KAFKA_SSL_CHECK_HOSTNAME: the broker certificate must name the host dialled"
    )

    @field_validator("log_level")
    @classmethod
    def _faust_log_level(cls, value: str) -> str:
        # Faust's worker takes crit/error/warn/info/debug; accept the usual spellings too
        aliases = {"critical": "crit", "warning": "warn", "fatal": "crit"}
        level = aliases.get(value.lower(), value.lower())
        if level not in {"crit", "error", "warn", "info", "debug"}:
            raise ValueError("use one of debug, info, warning, error, critical")
        return level

    @field_validator("broker")
    @classmethod
    def _broker_is_url(cls, value: str) -> str:
        for part in value.split(";")[0].split(","):
            parsed = urlparse(part if "://" in part else f"kafka://{part}")
            if parsed.username or parsed.password:
                # a password in a URL ends up in process lists, logs and Faust's banner
                raise ValueError(
                    "credentials do not belong in the broker URL: use NEWSSTREAM_KAFKA_SASL_USERNAME and "
                    "NEWSSTREAM_KAFKA_SASL_PASSWORD(_FILE)"
                )
            if not parsed.hostname or not parsed.port:
                raise ValueError(f"{part!r} is not host:port (e.g. kafka://127.0.0.1:9092)")
        return value

    @field_validator("kafka_security_protocol", "kafka_sasl_mechanism")
    @classmethod
    def _upper_case(cls, value: str) -> str:
        return value.strip().upper()

    @model_validator(mode="after")
    def _kafka_security_usable(self) -> Settings:
        problems = self.kafka_security.problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def kafka_security(self) -> KafkaSecurity:
        return KafkaSecurity(
            protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            sasl_username=self.kafka_sasl_username,
            sasl_password=self.kafka_sasl_password,
            ssl_cafile=self.kafka_ssl_cafile,
            ssl_certfile=self.kafka_ssl_certfile,
            ssl_keyfile=self.kafka_ssl_keyfile,
            ssl_key_password=self.kafka_ssl_key_password,
            ssl_check_hostname=self.kafka_ssl_check_hostname,
        )

    def secret_values(self) -> list[str]:
        """Every configured secret, for redaction from log lines."""
        values = []
        for name in SECRET_SETTINGS:
            secret = getattr(self, name)
            if secret is not None and secret.get_secret_value():
                values.append(secret.get_secret_value())
        values.extend(self.api_token_list)  # each token alone, as a request would carry it
        return values  # the database URL's password is masked as part of any URL (log_redaction)

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: str) -> str:
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in (*WORKER_ROLES, "all")]
        if unknown or not names:
            raise ValueError(f"unknown role(s) {', '.join(unknown) or '(none)'}: use {', '.join(WORKER_ROLES)} or all")
        return value

    @property
    def role_list(self) -> list[str]:
        """The roles this worker runs, in pipeline order."""
        names = {name.strip() for name in self.roles.split(",")}
        return [role for role in WORKER_ROLES if "all" in names or role in names]

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("use sqlite:///path/to/file.db or postgresql://user:pass@host:port/db")
        return value

    @field_validator("alert_rules")
    @classmethod
    def _rules_exist(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{value} does not exist")
        return value

    @property
    def api_token_list(self) -> list[str]:
        """The bearer tokens the query API accepts (none: it is open)."""
        raw = self.api_tokens.get_secret_value() if self.api_tokens is not None else ""
        return [token.strip() for token in raw.split(",") if token.strip()]

    @property
    def api_cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.api_cors_origins.split(",") if origin.strip()]

    @property
    def bootstrap_servers(self) -> list[str]:
        """Broker addresses as host:port, the form kafka-python and aiokafka take."""
        servers = []
        for part in self.broker.split(","):
            parsed = urlparse(part if "://" in part else f"kafka://{part}")
            servers.append(f"{parsed.hostname}:{parsed.port}")
        return servers


#: what a worker can run; each role is a Faust app with a consumer group of its own
WORKER_ROLES = ("enrich", "alert", "store", "notify")

#: settings that hold secrets: each may instead be read from the file NEWSSTREAM_<NAME>_FILE names
SECRET_SETTINGS = ("kafka_sasl_password", "kafka_ssl_key_password", "push_token", "webhook_token", "api_tokens")


def secrets_from_files(environ: Mapping[str, str]) -> dict[str, str]:
    """Secret settings given as NEWSSTREAM_<NAME>_FILE (Docker and Kubernetes secrets): the file's
    content without its trailing newline."""
    found = {}
    for name in SECRET_SETTINGS:
        variable = f"NEWSSTREAM_{name.upper()}"
        path = environ.get(f"{variable}_FILE")
        if not path:
            continue
        if environ.get(variable):
            raise ConfigError(f"{variable} and {variable}_FILE are both set: keep one")
        try:
            found[name] = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigError(f"{variable}_FILE: cannot read {path} ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{variable}_FILE: {path} is not UTF-8 text") from None
    return found


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; bad values fail fast naming the variable to fix."""
    file_overrides = {**secrets_from_files(os.environ), **secrets_from_files(_file_overrides(overrides))}
    try:
        return Settings(**{**file_overrides, **overrides})  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["loc"]:
                problems.append(f"NEWSSTREAM_{str(error['loc'][0]).upper()}: {message}")
            else:  # a check across settings: its message names them
                problems.extend(message.split("; "))
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from None


def _file_overrides(overrides: Mapping[str, object]) -> dict[str, str]:
    # load_settings(kafka_sasl_password_file=…) works like the environment variable
    return {f"NEWSSTREAM_{key.upper()}": str(value) for key, value in overrides.items() if key.endswith("_file")}


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
