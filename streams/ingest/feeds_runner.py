"""Wires the feed poller to settings, Kafka, its state file and /metrics (the CLI's `ingest --feeds`)."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry, start_http_server

from streams.config import Settings
from streams.ingest.feed_state import FeedState
from streams.ingest.feeds_config import load_feeds
from streams.ingest.fetch import PoliteFetcher
from streams.ingest.poller import FeedMetrics, FeedPoller, PollOutcome
from streams.ingest.producer import ArticlePublisher

log = logging.getLogger(__name__)


def run_feeds(
    config: Settings,
    feeds_file: Path,
    *,
    once: bool,
    state_file: Path | None = None,
    metrics_port: int | None = None,
) -> list[PollOutcome]:
    """Poll the feeds once (`once`) or until SIGTERM/SIGINT; returns the outcomes of a single pass."""
    feeds = load_feeds(feeds_file)  # a bad list fails here, before any connection
    publisher = ArticlePublisher(config)
    state = FeedState(state_file or config.data_dir / "feeds.sqlite")
    registry = CollectorRegistry()
    metrics = FeedMetrics.create(registry)
    if metrics_port is not None:
        start_http_server(metrics_port, addr=config.web_host, registry=registry)

    async def main() -> list[PollOutcome]:
        fetcher = PoliteFetcher(
            user_agent=config.user_agent,
            timeout=config.fetch_timeout,
            max_bytes=config.fetch_max_bytes,
            per_host_concurrency=config.per_host_concurrency,
            per_host_interval=config.per_host_interval,
            trusted_hosts=frozenset(urlsplit(feed.url).hostname or "" for feed in feeds),
            allow_private_addresses=config.fetch_allow_private_addresses,
        )
        poller = FeedPoller(
            feeds,
            state=state,
            fetcher=fetcher,
            publisher=publisher,
            metrics=metrics,
            memory_seconds=config.feed_memory_days * 86400,
        )
        try:
            if once:
                return await poller.run_once()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop.set)
            log.warning("polling %d feed(s); stop with Ctrl-C or SIGTERM", len(feeds))
            await poller.run_forever(stop)
            return []
        finally:
            await fetcher.close()

    try:
        return asyncio.run(main())
    finally:
        publisher.close()
        state.close()
