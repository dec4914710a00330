"""`newsstream web`: the read-only query API over the store."""

from __future__ import annotations

import click

from streams.commands import _settings, main
from streams.core.errors import ConfigError


@main.command("web")
@click.option("--host", default=None, help="bind address (default NEWSSTREAM_API_HOST, 127.0.0.1)")
@click.option("--port", type=int, default=None, help="port (default NEWSSTREAM_API_PORT, 8080)")
def web(host: str | None, port: int | None) -> None:
    """Serve the query API (/api/v1, OpenAPI at /api/v1/openapi.json) over NEWSSTREAM_DATABASE_URL."""
    from streams.config import load_settings
    from streams.web.server import serve

    config = _settings()
    overrides = {key: value for key, value in (("api_host", host), ("api_port", port)) if value is not None}
    try:
        if overrides:
            config = load_settings(**overrides)
        click.echo(f"newsstream web: http://{config.api_host}:{config.api_port}/api/v1/events", err=True)
        serve(config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
