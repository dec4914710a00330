"""The feed poller: every feed on its own schedule, new items to articles, articles to Kafka.

One poll of a feed: conditional GET -> parse -> the items not seen before -> for each, the full
text (the feed's own content, else the page, extracted) -> one canonical id per article, however
many feeds carry it -> language -> publish, confirmed by Kafka -> remember the items. A failing
feed backs off exponentially (interval x 2^failures, at most MAX_BACKOFF) and never stops the
others; every outcome is a metric and a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, Counter, Gauge

from streams.core.errors import InvalidArticle
from streams.core.identity import article_id, canonical_url
from streams.core.language import detect_language
from streams.core.models import Article
from streams.ingest.extract import ExtractionFailed, extract_page
from streams.ingest.feed_parse import FeedEntry, FeedError, parse_feed
from streams.ingest.feed_state import FeedState, FeedStatus
from streams.ingest.feeds_config import FeedSpec
from streams.ingest.fetch import FetchError, PoliteFetcher, display_url
from streams.ingest.producer import IngestReport

log = logging.getLogger(__name__)

MAX_BACKOFF = 6 * 3600.0
JITTER = 0.1  # ±10 % on every interval, so feeds added together do not poll in lockstep
FULL_CONTENT_CHARS = 500  # a feed item carrying this much text is the article itself


class Publisher(Protocol):
    def publish(self, article: Article) -> None: ...
    def flush(self, report: IngestReport, timeout: float = 60.0) -> None: ...


@dataclass(slots=True)
class FeedMetrics:
    """Per-feed figures on the poller's /metrics."""

    last_success: Gauge
    consecutive_failures: Gauge
    items: Counter
    fetch_errors: Counter
    bytes_fetched: Counter
    extraction_failures: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> FeedMetrics:
        return cls(
            last_success=Gauge(
                "newsstream_feed_last_success_timestamp_seconds",
                "When each feed was last fetched and read successfully",
                ["feed"],
                registry=registry,
            ),
            consecutive_failures=Gauge(
                "newsstream_feed_consecutive_failures", "Failed polls in a row per feed", ["feed"], registry=registry
            ),
            items=Counter(
                "newsstream_feed_items_total",
                "Feed items by outcome: seen (before), new, duplicate (another feed had it), published, rejected",
                ["feed", "outcome"],
                registry=registry,
            ),
            fetch_errors=Counter(
                "newsstream_feed_fetch_errors_total",
                "Failed fetches by kind (timeout, connect, http_<status>, too_large, robots, parse)",
                ["feed", "kind"],
                registry=registry,
            ),
            bytes_fetched=Counter(
                "newsstream_feed_bytes_total", "Bytes fetched, feeds and pages", ["feed", "what"], registry=registry
            ),
            extraction_failures=Counter(
                "newsstream_feed_extraction_failures_total",
                "Article pages whose main text could not be fetched or extracted (the summary is used)",
                ["feed", "reason"],
                registry=registry,
            ),
        )


@dataclass(slots=True)
class PollOutcome:
    feed: str
    ok: bool
    not_modified: bool = False
    new: int = 0
    published: list[str] = field(default_factory=list)
    duplicates: int = 0
    rejected: int = 0
    error: str | None = None


def trusted_canonical(canonical: str | None, page_url: str) -> str:
    """The page's rel=canonical when it stays on the page's own site and is not the site's front
    page; else the page's URL. A page elsewhere must not take another outlet's article id."""
    if not canonical:
        return page_url
    claimed, actual = urlsplit(canonical), urlsplit(page_url)

    def site(host: str | None) -> str:
        host = (host or "").lower()
        return host[4:] if host.startswith("www.") else host

    if site(claimed.hostname) != site(actual.hostname) or claimed.path in {"", "/"}:
        return page_url
    return canonical


def _forget(running: dict[str, asyncio.Task[PollOutcome]], url: str, _task: asyncio.Task[PollOutcome]) -> None:
    running.pop(url, None)


class FeedPoller:
    def __init__(
        self,
        feeds: Sequence[FeedSpec],
        *,
        state: FeedState,
        fetcher: PoliteFetcher,
        publisher: Publisher,
        metrics: FeedMetrics,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        memory_seconds: float = 30 * 86400,
    ) -> None:
        self.feeds = list(feeds)
        #: how long an item is remembered as seen (NEWSSTREAM_FEED_MEMORY_DAYS)
        self.memory_seconds = memory_seconds
        self._last_pruned = float("-inf")
        self.state = state
        self.fetcher = fetcher
        self.publisher = publisher
        self.metrics = metrics
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not security
        # kafka-python's flush blocks: it runs here, one at a time, never on the event loop
        self._publish_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish")
        self._publish_lock = asyncio.Lock()
        # ids being published by any feed right now: two feeds carrying one story in the same pass
        # must not both publish it (checked and claimed with no await in between)
        self._claimed: set[str] = set()

    async def run_once(self) -> list[PollOutcome]:
        """Poll every feed once, now, whatever its schedule."""
        self.prune()
        return list(await asyncio.gather(*(self.poll(feed) for feed in self.feeds)))

    def prune(self) -> None:
        """Forget items older than the memory, at most once an hour (a quick indexed delete)."""
        now = self.clock()
        if now - self._last_pruned < 3600:
            return
        self._last_pruned = now
        forgotten = self.state.forget_older_than(now - self.memory_seconds)
        if forgotten:
            log.info("forgot %d feed item(s) seen over %.0f days ago", forgotten, self.memory_seconds / 86400)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll each feed when it is due, until `stop` is set."""
        running: dict[str, asyncio.Task[PollOutcome]] = {}
        while not stop.is_set():
            self.prune()
            now = self.clock()
            next_due = now + 60.0
            for feed in self.feeds:
                if feed.url in running:
                    continue
                due = self.state.status(feed.url).next_poll
                if due <= now:
                    task = asyncio.create_task(self.poll(feed))
                    running[feed.url] = task
                    task.add_done_callback(functools.partial(_forget, running, feed.url))
                else:
                    next_due = min(next_due, due)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(0.5, next_due - self.clock()))
        for task in list(running.values()):
            task.cancel()

    async def poll(self, feed: FeedSpec) -> PollOutcome:
        status = self.state.status(feed.url)
        outcome = PollOutcome(feed=feed.name, ok=False)
        try:
            await self._poll(feed, status, outcome)
        except FetchError as exc:
            self._failed(feed, status, outcome, exc.kind, str(exc))
        except FeedError as exc:
            self._failed(feed, status, outcome, "parse", f"{display_url(feed.url)}: {exc}")
        except Exception as exc:  # a bug or a Kafka error must cost this feed a retry, not the poller
            log.exception("feed %s: unexpected failure", feed.name)
            self._failed(feed, status, outcome, "internal", f"{type(exc).__name__}: {exc}")
        else:
            outcome.ok = True
            status.failures, status.last_error, status.last_success = 0, None, self.clock()
            status.next_poll = self.clock() + self._jittered(feed.interval)
            self.metrics.last_success.labels(feed.name).set(status.last_success)
            self.metrics.consecutive_failures.labels(feed.name).set(0)
        self.state.save(status)
        return outcome

    def _failed(self, feed: FeedSpec, status: FeedStatus, outcome: PollOutcome, kind: str, message: str) -> None:
        status.failures += 1
        status.last_error = message
        delay = min(MAX_BACKOFF, feed.interval * 2 ** min(status.failures, 16))
        status.next_poll = self.clock() + self._jittered(delay)
        outcome.error = message
        self.metrics.fetch_errors.labels(feed.name, kind).inc()
        self.metrics.consecutive_failures.labels(feed.name).set(status.failures)
        log.warning(
            "feed %s failed (%s, %d in a row): %s; next try in %.0f s",
            feed.name,
            kind,
            status.failures,
            message,
            status.next_poll - self.clock(),
        )

    def _jittered(self, seconds: float) -> float:
        return seconds * (1 + self.rng.uniform(-JITTER, JITTER))

    async def _poll(self, feed: FeedSpec, status: FeedStatus, outcome: PollOutcome) -> None:
        result = await self.fetcher.get(feed.url, etag=status.etag, last_modified=status.last_modified)
        if result.not_modified:
            outcome.not_modified = True
            return
        self.metrics.bytes_fetched.labels(feed.name, "feed").inc(len(result.content))
        _title, entries = parse_feed(result.content, result.url)
        by_key = {entry.key: entry for entry in entries}
        unseen = self.state.unseen(feed.url, list(by_key))
        self.metrics.items.labels(feed.name, "seen").inc(len(by_key) - len(unseen))
        self.metrics.items.labels(feed.name, "new").inc(len(unseen))
        outcome.new = len(unseen)
        articles = await asyncio.gather(*(self._safe_article(feed, by_key[key]) for key in unseen))
        to_publish: dict[str, tuple[str, Article]] = {}
        for key, article in zip(unseen, articles, strict=True):
            if article is None:
                outcome.rejected += 1
                self.metrics.items.labels(feed.name, "rejected").inc()
                self.state.mark(feed.url, key, None, published=False)
            elif article.id in to_publish or article.id in self._claimed or self.state.was_published(article.id):
                outcome.duplicates += 1
                self.metrics.items.labels(feed.name, "duplicate").inc()
                # seen here; only the feed whose copy Kafka confirms records it as published
                self.state.mark(feed.url, key, article.id, published=False)
            else:
                to_publish[article.id] = (key, article)
        if to_publish:
            self._claimed |= set(to_publish)
            try:
                report = await self._publish([article for _, article in to_publish.values()])
            finally:
                self._claimed -= set(to_publish)
            for published_id in report.published:
                key, _ = to_publish[published_id]
                self.state.mark(feed.url, key, published_id, published=True)
            outcome.published = report.published
            self.metrics.items.labels(feed.name, "published").inc(len(report.published))
            if report.failed:
                # neither marked seen nor the validators kept: the next poll fetches and tries them again
                raise FetchError("publish", f"{len(report.failed)} article(s) not confirmed by Kafka")
        # only now: a 304 next time must not hide items that were not published
        status.etag, status.last_modified = result.etag, result.last_modified

    async def _publish(self, articles: list[Article]) -> IngestReport:
        report = IngestReport()

        def send() -> None:
            for article in articles:
                self.publisher.publish(article)
            self.publisher.flush(report)

        async with self._publish_lock:
            await asyncio.get_running_loop().run_in_executor(self._publish_thread, send)
        return report

    async def _safe_article(self, feed: FeedSpec, entry: FeedEntry) -> Article | None:
        try:
            return await self._article(feed, entry)
        except Exception as exc:  # e.g. a link no URL parser accepts
            log.warning("feed %s item %s rejected: %s: %s", feed.name, entry.key[:200], type(exc).__name__, exc)
            return None

    async def _article(self, feed: FeedSpec, entry: FeedEntry) -> Article | None:
        """The entry as an article: its own content, else its page's main text, else its summary."""
        body, title, url, published, author = entry.content, entry.title, entry.link, entry.published, entry.author
        wants_page = feed.full_text == "always" or (feed.full_text == "auto" and len(body) < FULL_CONTENT_CHARS)
        if wants_page and entry.link:
            try:
                page = await self.fetcher.get(entry.link, obey_robots=True)
                self.metrics.bytes_fetched.labels(feed.name, "page").inc(len(page.content))
                # bytes, so the extractor reads the page's own charset declaration
                text = await asyncio.get_running_loop().run_in_executor(None, extract_page, page.content, page.url)
                body, title = text.text, entry.title or text.title
                url = trusted_canonical(text.canonical_url, page.url)
                published = published or text.published
                author = author or text.author
            except FetchError as exc:
                self.metrics.extraction_failures.labels(feed.name, exc.kind).inc()
                log.info("page of %s not fetched (%s): %s", display_url(entry.link), exc.kind, exc)
            except ExtractionFailed as exc:
                self.metrics.extraction_failures.labels(feed.name, "no_text").inc()
                log.info("no article text in %s: %s", display_url(entry.link), exc)
        if not body:
            body = entry.summary
        canonical = canonical_url(url) if url else None
        article = Article(
            id=article_id(url=canonical, title=title, body=body),
            title=title,
            body=body,
            url=canonical,
            source=feed.name,
            published=published,
            language=detect_language(f"{title}\n{body}"),
            author=author.strip()[:300] if author else None,
        )
        try:
            article.validate()
        except InvalidArticle as exc:
            log.info("feed %s item %s rejected: %s", feed.name, entry.key[:200], exc)
            return None
        return article
