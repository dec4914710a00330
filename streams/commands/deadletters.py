"""`newsstream deadletters` and `deadletters replay`."""

from __future__ import annotations

import click

from streams.commands import _consume, _settings, main
from streams.core.errors import ConfigError


@main.group("deadletters", invoke_without_command=True)
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Stop after this many idle seconds.")
@click.pass_context
def deadletters(ctx: click.Context, timeout: float) -> None:
    """Print the dead-letter topic from the beginning: origin, stage, reason, error (or: replay)."""
    if ctx.invoked_subcommand is not None:
        return
    from streams.wire.codec import Codecs

    config = _settings()
    codec = Codecs.for_settings(config).dead_letter
    for value in _consume(config.topic_deadletter, config, True, timeout):
        letter = codec.decode(value)
        click.echo(
            f"{letter['topic']}[{letter['partition']}]@{letter['offset']} {letter['stage']}/{letter['reason']}: "
            f"{letter['error_class']}: {letter['error_message'][:200]}"
        )


@deadletters.command("replay")
@click.option("--reason", "reasons", multiple=True, help="Only letters with this reason (repeatable).")
@click.option("--stage", "stages", multiple=True, help="Only letters from this stage: enrich, alert, store, notify.")
@click.option("--topic", "topics", multiple=True, help="Only letters that came from this topic (repeatable).")
@click.option("--since", default=None, help="Only letters written at or after this ISO-8601 time (UTC).")
@click.option("--until", default=None, help="Only letters written before this ISO-8601 time (UTC).")
@click.option("--dry-run", is_flag=True, help="Count what would be replayed; publish nothing.")
@click.option(
    "--timeout", type=float, default=5.0, show_default=True, help="Stop reading after this many idle seconds."
)
def deadletters_replay(
    reasons: tuple[str, ...],
    stages: tuple[str, ...],
    topics: tuple[str, ...],
    since: str | None,
    until: str | None,
    dry_run: bool,
    timeout: float,
) -> None:
    """Publish the selected dead letters' original messages onto the topics they came from, once
    their cause is fixed (ids and upserts make it safe to replay a letter twice)."""
    from streams.commands.deadletter_replay import LetterSelection, iso_to_millis, replay_letters
    from streams.ingest.producer import make_producer
    from streams.wire.codec import Codecs

    config = _settings()
    try:
        selection = LetterSelection(
            reasons=frozenset(reasons),
            stages=frozenset(stages),
            topics=frozenset(topics),
            since_ms=iso_to_millis(since) if since else None,
            until_ms=iso_to_millis(until) if until else None,
        )
        producer = None if dry_run else make_producer(config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    codec = Codecs.for_settings(config).dead_letter
    letters = (codec.decode(value) for value in _consume(config.topic_deadletter, config, True, timeout))

    report = replay_letters(letters, selection, producer)
    if producer is not None:
        producer.flush(timeout=60)
        producer.close(timeout=10)
    verb = "would replay" if dry_run else "replayed"
    where = ", ".join(f"{count} onto {topic}" for topic, count in sorted(report.replayed.items())) or "nothing"
    click.echo(f"{verb} {report.total} of {report.seen} dead letter(s): {where}")
