"""`newsstream ingest`, `serve`, `replay`: articles onto the articles topic."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from streams.commands import _settings, main
from streams.config import Settings
from streams.core.errors import NewsstreamError
from streams.ingest.sources import read_articles


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--feeds",
    "feeds_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Poll the RSS/Atom feeds a FEEDS.yaml (or .opml) lists, continuously.",
)
@click.option("--once", is_flag=True, help="With --feeds: one pass over every feed, then exit.")
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --feeds: what was seen already [default: $NEWSSTREAM_DATA_DIR/feeds.sqlite].",
)
@click.option("--metrics-port", type=int, default=None, help="With --feeds: serve /metrics on this port.")
def ingest(
    paths: tuple[str, ...],
    quiet: bool,
    feeds_file: Path | None,
    once: bool,
    state_file: Path | None,
    metrics_port: int | None,
) -> None:
    """Publish articles from files and folders (.txt seed format, .json, .jsonl; '-' for stdin),
    or from RSS/Atom feeds with --feeds."""
    from tqdm import tqdm

    from streams.ingest.producer import ArticlePublisher, publish_all

    config = _settings()
    if feeds_file is not None:
        if paths:
            raise click.UsageError("give PATHS or --feeds, not both")
        _ingest_feeds(config, feeds_file, once=once, state_file=state_file, metrics_port=metrics_port)
        return
    if not paths:
        raise click.UsageError("give the files or folders to publish, or --feeds FEEDS.yaml")
    try:
        publisher = ArticlePublisher(config)
    except NewsstreamError as exc:
        raise click.ClickException(str(exc)) from None
    items = read_articles(paths)
    progress = tqdm(items, unit=" articles", disable=quiet, file=sys.stderr, desc="ingest")
    try:
        report = publish_all(progress, publisher)
    finally:
        publisher.close()
    for rejected in report.rejected:
        click.echo(f"skipped {rejected.origin}: {rejected.reason}", err=True)
    for article_id, error in report.failed:
        click.echo(f"failed to publish {article_id}: {error}", err=True)
    click.echo(
        f"published {len(report.published)} article(s) to {config.topic_articles}"
        f"; {len(report.rejected)} skipped, {len(report.failed)} failed",
        err=True,
    )
    if report.failed or not report.published:
        sys.exit(1)


def _ingest_feeds(
    config: Settings, feeds_file: Path, *, once: bool, state_file: Path | None, metrics_port: int | None
) -> None:
    from streams.ingest.feeds_runner import run_feeds

    try:
        outcomes = run_feeds(config, feeds_file, once=once, state_file=state_file, metrics_port=metrics_port)
    except NewsstreamError as exc:
        raise click.ClickException(str(exc)) from None
    for outcome in outcomes:
        if outcome.ok:
            state = "not modified" if outcome.not_modified else f"{outcome.new} new"
            click.echo(
                f"{outcome.feed}: {state}, {len(outcome.published)} published, {outcome.duplicates} duplicate(s), "
                f"{outcome.rejected} rejected",
                err=True,
            )
        else:
            click.echo(f"{outcome.feed}: FAILED: {outcome.error}", err=True)
    if outcomes:
        published = sum(len(o.published) for o in outcomes)
        failed = sum(1 for o in outcomes if not o.ok)
        click.echo(f"published {published} article(s) from {len(outcomes)} feed(s); {failed} feed(s) failed", err=True)


def _register_replay() -> None:
    from streams.commands.replay import replay_command

    main.add_command(replay_command, "replay")


_register_replay()


@main.command()
def serve() -> None:
    """Accept articles over HTTP: POST /articles (JSON, one or a batch) with a bearer token."""
    from streams.ingest.http_push import serve as serve_push

    config = _settings()
    try:
        serve_push(config)
    except NewsstreamError as exc:
        raise click.ClickException(str(exc)) from None
