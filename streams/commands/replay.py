"""`newsstream replay`: publish stored articles to news.articles again, so a new pipeline version re-enriches them.

Article ids are deterministic and every sink upserts by id, so a replayed article overwrites what is stored
for it and never adds a second row. Delivery protocol of one replay:
  1. read one page of stored articles (one short read per page, keyset-ordered; see streams.storage.sql);
  2. publish each article unchanged, keyed by its id; the publisher stamps ingested_at with the current time;
  3. every `batch` articles, flush: wait for the broker to acknowledge each send, count published and failed;
  4. flush once more at the end. A failed article is counted and reported, not retried: run the replay again
     (with the same filters), which is safe because it is idempotent downstream.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from typing import TYPE_CHECKING, Protocol

import click

from streams.config import Settings, settings
from streams.core.errors import ConfigError, NewsstreamError
from streams.core.models import Article
from streams.storage import Storage, open_storage

if TYPE_CHECKING:
    from streams.ingest.producer import IngestReport

# how many ids a dry run shows
DRY_RUN_IDS = 10


class ArticlePublisherLike(Protocol):
    """What replay needs from streams.ingest.producer.ArticlePublisher."""

    def publish(self, article: Article) -> None: ...

    def flush(self, report: IngestReport, timeout: float = 60.0) -> None: ...

    def close(self) -> None: ...


@dataclass(slots=True)
class ReplayReport:
    """What one replay did (a dry run: what it would do)."""

    selected: int = 0
    published: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    first_ids: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Articles the broker did not acknowledge."""
        return len(self.failures)


def replay(
    storage: Storage,
    publisher: ArticlePublisherLike | None,
    *,
    since: str | None = None,
    until: str | None = None,
    sources: Sequence[str] = (),
    dry_run: bool = False,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = 500,
    page_size: int = 2000,
) -> ReplayReport:
    """Publish the stored articles that match (see Storage.iter_articles) unchanged; a dry run publishes nothing.

    `batch` articles go out between flushes; `progress` is called after each flush with how many articles it
    settled; `page_size` rows are read per storage query. `publisher` may be None only in a dry run."""
    if batch < 1 or page_size < 1:
        raise ValueError(f"batch and page_size must be at least 1, not {batch} and {page_size}")
    if limit is not None and limit < 0:
        raise ValueError(f"limit must not be negative, not {limit}")
    report = ReplayReport()
    if dry_run:
        matching = storage.count_articles(since=since, until=until, sources=sources)
        report.selected = matching if limit is None else min(matching, limit)
        shown = min(DRY_RUN_IDS, report.selected)
        first = storage.iter_articles(since=since, until=until, sources=sources, batch=max(shown, 1))
        report.first_ids = [article.id for article in islice(first, shown)]
        return report
    if publisher is None:
        raise ValueError("a publisher is needed unless dry_run is set")
    # imported here so that loading this module (and the CLI) does not load kafka-python
    from streams.ingest.producer import IngestReport

    # nothing indexes replay time, so each page is one scan of the articles table: fewer, larger pages
    # cost less in all than pages the size of a flush
    page = page_size if limit is None else max(1, min(page_size, limit))
    articles = storage.iter_articles(since=since, until=until, sources=sources, batch=page)

    def flush() -> None:
        # a fresh IngestReport per flush: a long replay keeps counts, not every id it published
        settled = IngestReport()
        publisher.flush(settled)
        report.published += len(settled.published)
        report.failures.extend(settled.failed)
        if progress is not None:
            progress(len(settled.published) + len(settled.failed))

    queued = 0
    for article in articles if limit is None else islice(articles, limit):
        publisher.publish(article)
        report.selected += 1
        if len(report.first_ids) < DRY_RUN_IDS:
            report.first_ids.append(article.id)
        queued += 1
        if queued == batch:
            flush()
            queued = 0
    if queued:
        flush()
    return report


def iso_bound(value: str) -> str:
    """A --since/--until value as the text storage compares: a date stays YYYY-MM-DD, a time becomes UTC
    ISO-8601 with `+00:00` (a time without an offset is taken as UTC). ValueError if it is not ISO-8601."""
    text = value.strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass  # not a bare date: try a date and time next
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _iso_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return iso_bound(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO-8601 date or time; use e.g. 2025-10-29 or 2025-10-29T12:00:00+00:00"
        ) from None


@click.command("replay")
@click.option("--since", callback=_iso_option, help="Only articles published at or after this ISO-8601 date/time.")
@click.option("--until", callback=_iso_option, help="Only articles published before this ISO-8601 date/time.")
@click.option("--source", "sources", multiple=True, help="Only articles from this source (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print how many articles match and the first ids; publish nothing.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Replay at most this many articles.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def replay_command(
    since: str | None, until: str | None, sources: tuple[str, ...], dry_run: bool, limit: int | None, quiet: bool
) -> None:
    """Publish stored articles to the articles topic again, oldest first, so the running pipeline re-enriches
    them. Stored rows are upserted by id, so nothing is duplicated. An article without a publication time
    is placed, and filtered, by when it was ingested."""
    if since is not None and until is not None and until <= since:
        raise click.BadParameter(f"must be later than --since ({since})", param_hint="'--until'")
    try:
        config = settings()
        storage = open_storage(config.database_url)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        if dry_run:
            report = replay(storage, None, since=since, until=until, sources=sources, dry_run=True, limit=limit)
            for article_id in report.first_ids:
                click.echo(article_id)
            click.echo(
                f"dry run: would replay {report.selected} article(s) to {config.topic_articles}; "
                f"the first {len(report.first_ids)} id(s) are listed; nothing was published",
                err=True,
            )
            return
        report = _publish(storage, config, since, until, sources, limit, quiet)
    finally:
        storage.close()
    for article_id, error in report.failures:
        click.echo(f"failed to publish {article_id}: {error}", err=True)
    click.echo(f"replayed {report.published} article(s) to {config.topic_articles}; {report.failed} failed", err=True)
    if report.failed:
        sys.exit(1)


def _publish(
    storage: Storage,
    config: Settings,
    since: str | None,
    until: str | None,
    sources: Sequence[str],
    limit: int | None,
    quiet: bool,
) -> ReplayReport:
    from tqdm import tqdm

    from streams.ingest.producer import ArticlePublisher

    total = None if quiet else storage.count_articles(since=since, until=until, sources=sources)
    if total is not None and limit is not None:
        total = min(total, limit)
    try:
        publisher = ArticlePublisher(config)
    except NewsstreamError as exc:
        raise click.ClickException(str(exc)) from None
    bar = tqdm(total=total, unit=" articles", disable=quiet, file=sys.stderr, desc="replay")
    try:
        return replay(storage, publisher, since=since, until=until, sources=sources, limit=limit, progress=bar.update)
    finally:
        bar.close()
        publisher.close()
