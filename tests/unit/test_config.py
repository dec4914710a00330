import pytest

from streams.config import load_settings
from streams.core.errors import ConfigError


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("NEWSSTREAM_BROKER", "localhost", "NEWSSTREAM_BROKER"),
        ("NEWSSTREAM_DATABASE_URL", "mysql://x", "NEWSSTREAM_DATABASE_URL"),
        ("NEWSSTREAM_BATCH_SIZE", "0", "NEWSSTREAM_BATCH_SIZE"),
        ("NEWSSTREAM_ALERT_RULES", "/nonexistent/rules.yaml", "NEWSSTREAM_ALERT_RULES"),
        ("NEWSSTREAM_WEB_PORT", "http", "NEWSSTREAM_WEB_PORT"),
    ],
)
def test_bad_settings_fail_naming_the_variable(monkeypatch, variable: str, value: str, message: str):
    """Start-up refuses bad configuration and says which variable to fix."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_defaults_are_local(monkeypatch):
    """With nothing set: local Kafka, SQLite under data/, web bound to loopback."""
    for name in ("NEWSSTREAM_BROKER", "NEWSSTREAM_DATABASE_URL", "NEWSSTREAM_WEB_HOST"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.bootstrap_servers == ["127.0.0.1:9092"]
    assert settings.database_url.startswith("sqlite:///")
    assert settings.web_host == "127.0.0.1"
