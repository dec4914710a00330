"""`newsstream worker`: the Faust apps of every role, or of those named."""

from __future__ import annotations

import os
import sys

import click

from streams.commands import _settings, main
from streams.core.errors import NewsstreamError


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["enrich", "alert", "store", "notify", "all"]),
    help="Run only this part of the pipeline (repeatable) [default: $NEWSSTREAM_ROLES, or all]. "
    "Each role is a consumer group of its own, so roles scale, and fail, apart.",
)
@click.pass_context
def worker(ctx: click.Context, roles: tuple[str, ...]) -> None:
    """Run a Faust worker (every role unless --role); extra options go to Faust's worker command."""
    from streams.runtime.kafka_admin import carry_over_shared_group_offsets, ensure_topics, internal_topics

    if roles:
        # streams.runtime.apps builds its apps from the settings when it is imported, below
        os.environ["NEWSSTREAM_ROLES"] = ",".join(roles)
    config = _settings()
    from streams.wire.codec import Codecs

    try:
        ensure_topics(config)
        ensure_topics(config, internal_topics(config))
        carry_over_shared_group_offsets(config)
        Codecs.for_settings(config).register_all()
    except NewsstreamError as exc:
        raise click.ClickException(str(exc)) from None
    config.data_dir.mkdir(parents=True, exist_ok=True)
    from streams.runtime.apps import create_app

    app = create_app(config)

    sys.argv = [
        "newsstream",
        "worker",
        "-l",
        config.log_level,
        "--web-port",
        str(config.web_port),
        "--web-bind",
        config.web_host,
        "--web-host",
        config.web_host,
        *ctx.args,
    ]
    app.main()
