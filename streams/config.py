"""One frozen settings object, read once at start-up from NEWSSTREAM_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from streams.errors import ConfigError


class Settings(BaseSettings):
    """Every knob of newsstream. Each field reads NEWSSTREAM_<FIELD NAME> (upper case)."""

    model_config = SettingsConfigDict(env_prefix="NEWSSTREAM_", frozen=True, extra="ignore")

    broker: str = Field(
        "kafka://127.0.0.1:9092", description="NEWSSTREAM_BROKER: Kafka bootstrap URL(s), comma-separated"
    )
    app_id: str = Field("newsstream", description="NEWSSTREAM_APP_ID: Faust app id = consumer group")
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
    batch_seconds: float = Field(0.5, gt=0, description="NEWSSTREAM_BATCH_SECONDS: longest wait to fill a batch")
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
    # --- ingestion: feeds (`newsstream ingest --feeds`) ---
    user_agent: str = Field(
        "newsstream/0.1 (+https://github.com/newsstream/newsstream)",
        description="NEWSSTREAM_USER_AGENT: sent with every feed and page request",
    )
    fetch_timeout: float = Field(20.0, gt=0, description="NEWSSTREAM_FETCH_TIMEOUT: seconds per HTTP request")
    fetch_max_bytes: int = Field(
        5 * 1024 * 1024, ge=1024, description="NEWSSTREAM_FETCH_MAX_BYTES: larger feeds and pages are refused"
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
            if not parsed.hostname or not parsed.port:
                raise ValueError(f"{part!r} is not host:port (e.g. kafka://127.0.0.1:9092)")
        return value

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
    def bootstrap_servers(self) -> list[str]:
        """Broker addresses as host:port, the form kafka-python and aiokafka take."""
        servers = []
        for part in self.broker.split(","):
            parsed = urlparse(part if "://" in part else f"kafka://{part}")
            servers.append(f"{parsed.hostname}:{parsed.port}")
        return servers


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; bad values fail fast naming the variable to fix."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            problems.append(f"NEWSSTREAM_{field.upper()}: {error['msg']}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems)) from None


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
