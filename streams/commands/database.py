"""`newsstream db upgrade` and `db current`: the tables' schema revision."""

from __future__ import annotations

import click

from streams.commands import _settings, main
from streams.core.errors import ConfigError


@main.group("db")
def database() -> None:
    """The database's schema: upgrade it, or say where it stands."""


@database.command("upgrade")
def upgrade() -> None:
    """Bring the tables to this version's newest revision (workers also do it when they start
    storing), keeping every row; a database upgraded by a newer newsstream is refused."""
    from streams.storage import open_storage
    from streams.storage.migrate import head_revision

    config = _settings()
    try:
        open_storage(config.database_url).close()  # opening upgrades, under the migrations lock
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{config.database_url.split('@')[-1]}: at schema revision {head_revision()} (the newest)")


@database.command("current")
def current() -> None:
    """Print the database's schema revision and this version's newest, changing nothing."""
    from sqlalchemy import create_engine

    from streams.storage.migrate import current_revision, head_revision, sqlalchemy_url

    config = _settings()
    engine = create_engine(sqlalchemy_url(config.database_url))
    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
    finally:
        engine.dispose()
    click.echo(f"database: {revision or 'none (never upgraded)'}; this version's newest: {head_revision()}")
