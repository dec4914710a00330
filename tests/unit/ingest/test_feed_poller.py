"""The feed poller against a local news site, with an in-memory publisher (Kafka is the
integration test's job): new items once, restarts remember, bad feeds reported and skipped."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from prometheus_client import CollectorRegistry

from streams.core.identity import article_id, canonical_url
from streams.core.models import Article
from streams.ingest.feed_state import FeedState
from streams.ingest.feeds_config import FeedSpec
from streams.ingest.fetch import PoliteFetcher
from streams.ingest.poller import FeedMetrics, FeedPoller, PollOutcome
from streams.ingest.producer import IngestReport
from tests.support.news_site import NewsSite, serve_site, standard_site


class MemoryPublisher:
    def __init__(self) -> None:
        self.sent: list[Article] = []
        self._queued: list[Article] = []

    def publish(self, article: Article) -> None:
        self._queued.append(article)

    def flush(self, report: IngestReport, timeout: float = 60.0) -> None:
        self.sent += self._queued
        report.published += [a.id for a in self._queued]
        self._queued.clear()


def _poll(feeds: list[FeedSpec], state_path: Path, publisher: MemoryPublisher) -> tuple[list[PollOutcome], str]:
    registry = CollectorRegistry()

    async def run() -> list[PollOutcome]:
        fetcher = PoliteFetcher(
            user_agent="newsstream-test",
            timeout=1.0,
            per_host_interval=0.0,
            trusted_hosts=frozenset(urlsplit(feed.url).hostname or "" for feed in feeds),
        )
        state = FeedState(state_path)
        poller = FeedPoller(
            feeds, state=state, fetcher=fetcher, publisher=publisher, metrics=FeedMetrics.create(registry)
        )
        try:
            return await poller.run_once()
        finally:
            await fetcher.close()
            state.close()

    outcomes = asyncio.run(run())
    from prometheus_client import generate_latest

    return outcomes, generate_latest(registry).decode()


@pytest.fixture
def site():
    with serve_site() as running:
        yield running


def _specs(urls: dict[str, str]) -> list[FeedSpec]:
    return [FeedSpec(url=url, name=name, interval=60) for name, url in urls.items()]


def test_each_new_article_is_published_once_across_polls_feeds_and_restarts(site: NewsSite, tmp_path: Path):
    feeds = _specs(standard_site(site))
    publisher = MemoryPublisher()
    outcomes, metrics = _poll(feeds, tmp_path / "state.sqlite", publisher)
    by_feed = {o.feed: o for o in outcomes}

    # RSS and Atom flow; the AMP link of the clash story is the same article as the regular link
    urls = sorted(a.url or "" for a in publisher.sent)
    assert urls == sorted(
        canonical_url(f"{site.base}{path}")
        for path in ("/world/ceasefire-talks", "/world/border-clashes", "/world/flood-relief", "/private/leak")
    )
    assert len({a.id for a in publisher.sent}) == len(publisher.sent) == 4
    assert by_feed["rss2"].ok and by_feed["atom"].ok
    assert by_feed["rss2"].duplicates + by_feed["atom"].duplicates == 1

    # full text came from the pages; the relative link was resolved; tracking parameters dropped
    ceasefire = next(a for a in publisher.sent if a.url and a.url.endswith("/world/ceasefire-talks"))
    assert "Delegations met in Doha" in ceasefire.body and ceasefire.language == "en"
    assert ceasefire.id == article_id(url=f"{site.base}/world/ceasefire-talks", title="", body="")

    # robots.txt forbids /private/: never fetched, the feed's summary stands in
    assert site.hits("/private/leak") == 0
    private = next(a for a in publisher.sent if a.url and a.url.endswith("/private/leak"))
    assert private.body.startswith("Protesters gathered")

    # the bad feeds are reported and skipped; the good ones are not held up by them
    assert not by_feed["malformed"].ok and "not a readable" in (by_feed["malformed"].error or "")
    assert not by_feed["timeout"].ok and "timed out" in (by_feed["timeout"].error or "")
    assert 'newsstream_feed_fetch_errors_total{feed="timeout",kind="timeout"} 1.0' in metrics
    assert 'newsstream_feed_fetch_errors_total{feed="malformed",kind="parse"} 1.0' in metrics
    assert 'newsstream_feed_items_total{feed="rss2",outcome="published"}' in metrics

    # a second pass and a "restart" (a new poller on the same state file) publish nothing again
    page_hits = site.hits("/world/ceasefire-talks")
    _poll(feeds, tmp_path / "state.sqlite", publisher)
    outcomes, _ = _poll(feeds, tmp_path / "state.sqlite", publisher)
    assert len(publisher.sent) == 4
    assert site.hits("/world/ceasefire-talks") == page_hits  # seen items are not fetched again
    assert {o.feed for o in outcomes if o.not_modified} == {"not-modified"}
    conditional = [h for p, h in site.requests if p == "/feeds/cached.rss"]
    assert conditional[-1].get("If-None-Match") == '"v1"'


def test_a_failing_feed_backs_off_exponentially(site: NewsSite, tmp_path: Path):
    url = site.add("/feeds/gone.rss", b"", status=503)
    feed = FeedSpec(url=url, name="gone", interval=60)
    state_path = tmp_path / "state.sqlite"
    delays = []
    for _ in range(3):
        _poll([feed], state_path, MemoryPublisher())
        state = FeedState(state_path)
        status = state.status(url)
        state.close()
        delays.append(status.next_poll)
        assert status.last_error and "503" in status.last_error
    assert status.failures == 3
    # 60 s x 2^n (±10 % jitter), measured from each poll
    import time

    assert 60 * 8 * 0.85 < delays[-1] - time.time() < 60 * 8 * 1.15


def test_a_new_item_in_a_known_feed_is_published(site: NewsSite, tmp_path: Path):
    from tests.support.news_site import page, rss2

    site.add("/a", page("First story", "The first story."))
    url = site.add("/feeds/grow.rss", rss2(site.base, [("First story", "/a", "one")]), "application/rss+xml")
    publisher = MemoryPublisher()
    _poll([FeedSpec(url=url, name="grow", interval=60)], tmp_path / "s.sqlite", publisher)
    site.add("/b", page("Second story", "The second story."))
    site.add("/feeds/grow.rss", rss2(site.base, [("Second story", "/b", "two"), ("First story", "/a", "one")]))
    _poll([FeedSpec(url=url, name="grow", interval=60)], tmp_path / "s.sqlite", publisher)
    assert [a.title for a in publisher.sent] == ["First story", "Second story"]


class FailingPublisher(MemoryPublisher):
    def flush(self, report: IngestReport, timeout: float = 60.0) -> None:
        report.failed += [(a.id, "broker down") for a in self._queued]
        self._queued.clear()


def test_articles_kafka_did_not_confirm_are_fetched_and_published_on_the_next_poll(site: NewsSite, tmp_path: Path):
    """A failed publish keeps neither the items as seen nor the feed's ETag: a 304 must not hide them."""
    from tests.support.news_site import page, rss2

    site.add("/a", page("First story", "The first story."))
    url = site.add("/feeds/etag.rss", rss2(site.base, [("First story", "/a", "one")]), "application/rss+xml")
    site.etags["/feeds/etag.rss"] = '"v1"'
    feed = [FeedSpec(url=url, name="etag", interval=60)]
    outcomes, _ = _poll(feed, tmp_path / "s.sqlite", FailingPublisher())
    assert not outcomes[0].ok
    publisher = MemoryPublisher()
    outcomes, _ = _poll(feed, tmp_path / "s.sqlite", publisher)
    assert outcomes[0].ok and [a.title for a in publisher.sent] == ["First story"]


def test_links_and_redirects_to_private_addresses_are_refused_and_the_summary_kept(site: NewsSite, tmp_path: Path):
    """The feed's own host is the operator's; where its items point is not. A link to loopback by
    another name, to a cloud metadata address, or a redirect there, is never requested."""
    from tests.support.news_site import rss2

    port = urlsplit(site.base).port
    summary = "Police dispersed protesters outside the ministry of finance in the capital on Monday, witnesses said."
    site.redirects["/moved"] = f"http://localhost:{port}/world/ceasefire-talks"
    items = [
        ("Loopback by name", f"http://localhost:{port}/world/ceasefire-talks", summary),
        ("Metadata service", "http://169.254.169.254/latest/meta-data/", summary),
        ("Redirected inward", "/moved", summary),
    ]
    url = site.add("/feeds/inward.rss", rss2(site.base, items), "application/rss+xml")
    publisher = MemoryPublisher()
    _, metrics = _poll([FeedSpec(url=url, name="inward", interval=60)], tmp_path / "s.sqlite", publisher)
    assert sorted(a.title for a in publisher.sent) == sorted(title for title, _, _ in items)
    assert all(summary in a.body for a in publisher.sent)  # fell back to the feed's own text
    assert not [h for _, h in site.requests if h.get("Host", "").startswith("localhost")]
    assert site.hits("/moved") == 1  # the trusted host was asked; its redirect inward was not followed
    refused = re.search(
        r'newsstream_feed_extraction_failures_total\{feed="inward",reason="private_address"\} (\S+)', metrics
    )
    assert refused and float(refused[1]) == 3


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address under test, nothing binds it
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
    ],
)
def test_only_globally_routable_unicast_addresses_count_as_public(address: str, public: bool):
    import ipaddress

    from streams.ingest.addresses import is_public

    assert is_public(ipaddress.ip_address(address)) is public


def test_items_older_than_the_memory_are_forgotten_and_the_rest_kept(tmp_path: Path):
    state = FeedState(tmp_path / "state.sqlite")
    state.mark("http://feed", "old", "id-old", published=True)
    state.mark("http://feed", "new", "id-new", published=True)
    state._db.execute("UPDATE seen_items SET seen_at = 1000 WHERE item_key = 'old'")
    state._db.execute("UPDATE published SET published_at = 1000 WHERE article_id = 'id-old'")
    poller = FeedPoller(
        [],
        state=state,
        fetcher=None,  # type: ignore[arg-type]  # pruning fetches nothing
        publisher=MemoryPublisher(),
        metrics=FeedMetrics.create(CollectorRegistry()),
        memory_seconds=86400,
    )
    poller.prune()
    assert state.unseen("http://feed", ["old", "new"]) == ["old"]
    assert not state.was_published("id-old") and state.was_published("id-new")
    state.mark("http://feed", "old", "id-old", published=True)
    state._db.execute("UPDATE seen_items SET seen_at = 1000")
    poller.prune()  # within the hour: not again
    assert state.unseen("http://feed", ["old", "new"]) == []
    state.close()


def test_hosts_are_checked_as_they_go_on_the_wire_and_unresolvable_ones_refused():
    from streams.ingest.fetch import FetchError, _wire_host

    # httpx shows this host as "ss.example" but connects to the IDNA name: that one is checked
    assert _wire_host("xn--zca.example") == "xn--zca.example"
    assert _wire_host("Bücher.example") == "xn--bcher-kva.example"

    async def fetch() -> str:
        fetcher = PoliteFetcher(user_agent="newsstream-test", timeout=1.0, per_host_interval=0.0)
        try:
            await fetcher.get("http://no-such-host.invalid/story", obey_robots=True)
        except FetchError as exc:
            return exc.kind
        finally:
            await fetcher.close()
        return "fetched"

    assert asyncio.run(fetch()) == "unresolved"
