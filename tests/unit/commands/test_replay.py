"""Replay: reading stored articles back (Storage.iter_articles / count_articles) and publishing them again."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from streams.commands import replay as replay_module
from streams.commands.replay import iso_bound, replay, replay_command
from streams.config import load_settings
from streams.core.models import Article, EnrichedArticle, Entity, Mention
from streams.ingest.producer import IngestReport
from streams.storage import Storage, open_storage

MakeEnriched = Callable[..., EnrichedArticle]


def millis(iso: str) -> int:
    """Epoch milliseconds of an ISO-8601 time with an offset."""
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    opened = open_storage(f"sqlite:///{tmp_path}/news.db")
    yield opened
    opened.close()


@pytest.fixture
def make_enriched() -> MakeEnriched:
    """Factory: an enriched article with one entity, as the enrich stage would hand it to storage."""

    def make(
        article_id: str,
        published: str | None = "2025-10-29T12:00:00+00:00",
        *,
        source: str | None = "wire",
        ingested_at: int = 1761739200123,
    ) -> EnrichedArticle:
        body = f"Officials in Istanbul met on Monday, report {article_id} says."
        return EnrichedArticle(
            id=article_id,
            title=f"Talks resume ({article_id})",
            body=body,
            url=f"https://news.example.org/{article_id}",
            source=source,
            published=published,
            language="en",
            ingested_at=ingested_at,
            entities=[Entity("Istanbul", "GPE", "Istanbul", "TR", 41.01, 28.97, [Mention("body", 13, 21)])],
            events=[],
            countries=["TR"],
            primary_event=None,
            story_id=f"story-{article_id}",
            pipeline_version="2025.10-test",
        )

    return make


def as_ingested(enriched: EnrichedArticle) -> Article:
    """The Article that was published to news.articles before enrichment produced `enriched`."""
    return Article(
        id=enriched.id,
        title=enriched.title,
        body=enriched.body,
        url=enriched.url,
        source=enriched.source,
        published=enriched.published,
        language=enriched.language,
        ingested_at=enriched.ingested_at,
    )


class FakePublisher:
    """In-memory ArticlePublisherLike: queues on publish, settles on flush, fails the ids it is told to."""

    def __init__(self, fail_ids: Sequence[str] = ()) -> None:
        self.fail_ids = set(fail_ids)
        self.pending: list[Article] = []
        self.sent: list[Article] = []
        self.flush_sizes: list[int] = []
        self.closed = False

    def publish(self, article: Article) -> None:
        self.pending.append(article)

    def flush(self, report: IngestReport, timeout: float = 60.0) -> None:
        self.flush_sizes.append(len(self.pending))
        for article in self.pending:
            if article.id in self.fail_ids:
                report.failed.append((article.id, "broker said no"))
            else:
                report.published.append(article.id)
                self.sent.append(article)
        self.pending.clear()

    def close(self) -> None:
        self.closed = True


def test_stored_articles_read_back_as_ingested(storage: Storage, make_enriched: MakeEnriched):
    """iter_articles rebuilds each Article field for field from what write_articles stored."""
    stored = [make_enriched("a1"), make_enriched("a2", None, source=None)]
    storage.write_articles(stored)
    assert sorted(storage.iter_articles(), key=lambda a: a.id) == [as_ingested(e) for e in stored]


def test_time_range_is_since_inclusive_until_exclusive(storage: Storage, make_enriched: MakeEnriched):
    """since <= published < until, a date bound covering the whole day, a date-only published included."""
    storage.write_articles(
        [
            make_enriched("before", "2025-10-28T23:59:59+00:00"),
            make_enriched("midnight", "2025-10-29T00:00:00+00:00"),
            make_enriched("date-only", "2025-10-29"),
            make_enriched("evening", "2025-10-29T23:59:59+00:00"),
            make_enriched("next-day", "2025-10-30T00:00:00+00:00"),
        ]
    )
    within = storage.iter_articles(since="2025-10-29", until="2025-10-30")
    assert [a.id for a in within] == ["date-only", "midnight", "evening"]
    assert [a.id for a in storage.iter_articles(since="2025-10-29T23:00:00+00:00")] == ["evening", "next-day"]
    assert [a.id for a in storage.iter_articles(until="2025-10-29")] == ["before"]
    assert storage.count_articles(since="2025-10-29", until="2025-10-30") == 3


def test_sources_filter_keeps_any_of_the_given_sources(storage: Storage, make_enriched: MakeEnriched):
    """Exact match on source, any of several; an article without a source matches no source filter."""
    storage.write_articles(
        [
            make_enriched("r1", source="reuters"),
            make_enriched("r2", source="Reuters"),
            make_enriched("b1", source="bbc"),
            make_enriched("x1", source="aljazeera"),
            make_enriched("n1", source=None),
        ]
    )
    assert {a.id for a in storage.iter_articles(sources=["reuters", "bbc"])} == {"r1", "b1"}
    assert {a.id for a in storage.iter_articles(sources="aljazeera")} == {"x1"}
    assert storage.count_articles(sources=["reuters", "bbc", "reuters"]) == 2
    assert storage.count_articles() == 5


def test_unknown_published_falls_back_to_ingested_at(storage: Storage, make_enriched: MakeEnriched):
    """A NULL or empty published is placed and filtered by ingested_at, as UTC ISO time."""
    storage.write_articles(
        [
            make_enriched("at-05", "2025-10-29T05:00:00+00:00"),
            make_enriched("null-06", None, ingested_at=millis("2025-10-29T06:00:00.250+00:00")),
            make_enriched("empty-07", "", ingested_at=millis("2025-10-29T07:00:00+00:00")),
            make_enriched("at-08", "2025-10-29T08:00:00+00:00"),
            make_enriched("null-prev-day", None, ingested_at=millis("2025-10-28T22:00:00+00:00")),
        ]
    )
    day = [a.id for a in storage.iter_articles(since="2025-10-29", until="2025-10-30")]
    assert day == ["at-05", "null-06", "empty-07", "at-08"]
    assert [a.id for a in storage.iter_articles(until="2025-10-29")] == ["null-prev-day"]
    assert next(storage.iter_articles(sources=["wire"], since="2025-10-29T06:00:00+00:00")).published is None


def test_order_is_time_then_id(storage: Storage, make_enriched: MakeEnriched):
    """Oldest first; articles with the same time come in id order, whatever order they were written in."""
    storage.write_articles(
        [
            make_enriched("c", "2025-10-29T10:00:00+00:00"),
            make_enriched("b", "2025-10-29T10:00:00+00:00"),
            make_enriched("z", "2025-10-28T10:00:00+00:00"),
            make_enriched("a", "2025-10-30T10:00:00+00:00"),
        ]
    )
    assert [a.id for a in storage.iter_articles()] == ["z", "b", "c", "a"]


@pytest.mark.parametrize("tied", [False, True])
def test_pages_cover_every_row_once(storage: Storage, make_enriched: MakeEnriched, tied: bool):
    """batch=2 over 5 rows: three reads of at most two rows, every row once, also when a tie spans pages."""
    times = [f"2025-10-29T1{1 if tied else n}:00:00+00:00" for n in range(5)]
    written = [make_enriched(f"id-{n}", times[n]) for n in (3, 0, 4, 1, 2)]
    storage.write_articles(written)
    pages: list[int] = []
    read = storage._rows  # type: ignore[attr-defined]  # the adapter's one read path, counted

    def counted(sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        rows = read(sql, params)
        pages.append(len(rows))
        return rows

    storage._rows = counted  # type: ignore[attr-defined]
    assert [a.id for a in storage.iter_articles(batch=2)] == [f"id-{n}" for n in range(5)]
    assert pages == [2, 2, 1]


def test_replay_publishes_each_stored_article_unchanged(storage: Storage, make_enriched: MakeEnriched):
    """Every article goes to the publisher as stored, oldest first, flushed every `batch`, read in other-sized pages."""
    stored = [make_enriched(f"id-{n}", f"2025-10-2{n}T12:00:00+00:00") for n in range(5)]
    storage.write_articles(stored)
    publisher = FakePublisher()
    settled: list[int] = []
    report = replay(storage, publisher, batch=2, page_size=3, progress=settled.append)
    assert publisher.sent == [as_ingested(e) for e in stored]
    assert publisher.flush_sizes == [2, 2, 1]
    assert settled == [2, 2, 1]
    assert (report.selected, report.published, report.failed) == (5, 5, 0)


def test_replay_filters_limits_and_counts_failures(storage: Storage, make_enriched: MakeEnriched):
    """Filters reach storage, --limit stops early, and a failed send is counted, not published."""
    storage.write_articles(
        [make_enriched(f"w{n}", f"2025-10-2{n}T12:00:00+00:00", source="wire") for n in range(4)]
        + [make_enriched("other", "2025-10-22T13:00:00+00:00", source="blog")]
    )
    publisher = FakePublisher(fail_ids=["w2"])
    report = replay(storage, publisher, since="2025-10-21", sources=["wire"], limit=2)
    assert [a.id for a in publisher.sent] == ["w1"]
    assert (report.selected, report.published, report.failures) == (2, 1, [("w2", "broker said no")])


def test_dry_run_publishes_nothing(storage: Storage, make_enriched: MakeEnriched):
    """A dry run counts what would be replayed and lists the first ids, without touching the publisher."""
    storage.write_articles([make_enriched(f"id-{n:02}", f"2025-10-01T{n:02}:00:00+00:00") for n in range(12)])
    publisher = FakePublisher()
    report = replay(storage, publisher, dry_run=True, since="2025-10-01T01:00:00+00:00")
    assert publisher.pending == publisher.sent == publisher.flush_sizes == []
    assert (report.selected, report.published) == (11, 0)
    assert report.first_ids == [f"id-{n:02}" for n in range(1, 11)]
    limited = replay(storage, None, dry_run=True, limit=3)
    assert (limited.selected, limited.first_ids) == (3, ["id-00", "id-01", "id-02"])


def test_republished_record_differs_only_in_ingested_at(
    storage: Storage, make_enriched: MakeEnriched, monkeypatch: pytest.MonkeyPatch
):
    """Through the real ArticlePublisher: the record on the wire is the stored article, re-stamped."""
    from streams.ingest import producer
    from streams.wire.codec import Codecs

    class Future:
        def get(self, timeout: float) -> None:
            return None

    class FakeProducer:
        def __init__(self) -> None:
            self.sent: list[tuple[str, bytes, bytes]] = []

        def send(self, topic: str, key: bytes, value: bytes) -> Future:
            self.sent.append((topic, key, value))
            return Future()

        def flush(self, timeout: float) -> None:
            return None

        def close(self, timeout: float) -> None:
            return None

    restamped = 1_900_000_000_000
    monkeypatch.setattr(producer, "ensure_topics", lambda settings: [])
    monkeypatch.setattr(producer, "now_millis", lambda: restamped)
    settings = load_settings(schema_registry_url=None)
    fake = FakeProducer()
    original = make_enriched("seed-1", None, ingested_at=1761739200123)
    storage.write_articles([original])
    report = replay(storage, producer.ArticlePublisher(settings, producer=fake))  # type: ignore[arg-type]
    assert report.published == 1
    [(topic, key, value)] = fake.sent
    record = Codecs.for_settings(settings).article.decode(value)
    assert (topic, key) == (settings.topic_articles, b"seed-1")
    assert Article(**record) == replace(as_ingested(original), ingested_at=restamped)


@pytest.mark.parametrize(
    ("given", "bound"),
    [
        ("2025-10-29", "2025-10-29"),
        ("2025-10-29T12:00", "2025-10-29T12:00:00+00:00"),
        ("2025-10-29T14:30:00+02:00", "2025-10-29T12:30:00+00:00"),
        ("2025-10-29T12:00:00Z", "2025-10-29T12:00:00+00:00"),
    ],
)
def test_iso_bounds_are_dates_or_utc_times(given: str, bound: str):
    """A date bound stays a date; a time is moved to UTC, the offset replay times are compared in."""
    assert iso_bound(given) == bound


def _use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setattr(replay_module, "settings", lambda: load_settings(database_url=url))


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_command_rejects_a_bad_date_naming_the_option(option: str):
    """A bound that is not ISO-8601 is a usage error that names the option."""
    result = CliRunner().invoke(replay_command, [option, "last tuesday"])
    assert result.exit_code == 2
    assert option in result.output and "ISO-8601" in result.output


def test_command_dry_run_lists_ids_and_publishes_nothing(
    tmp_path: Path, make_enriched: MakeEnriched, monkeypatch: pytest.MonkeyPatch
):
    """--dry-run prints the matching count and first ids and never builds a publisher."""
    from streams.ingest import producer

    url = f"sqlite:///{tmp_path}/news.db"
    seeded = open_storage(url)
    seeded.write_articles([make_enriched("keep", source="wire"), make_enriched("skip", source="blog")])
    seeded.close()
    _use_database(monkeypatch, url)
    monkeypatch.setattr(producer, "ArticlePublisher", None)
    result = CliRunner().invoke(replay_command, ["--dry-run", "--source", "wire"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["keep"]
    assert "would replay 1 article(s)" in result.stderr


def test_command_replays_and_reports_on_stderr(
    tmp_path: Path, make_enriched: MakeEnriched, monkeypatch: pytest.MonkeyPatch
):
    """The command publishes what matches through ArticlePublisher, closes it, and says how many."""
    from streams.ingest import producer

    url = f"sqlite:///{tmp_path}/news.db"
    seeded = open_storage(url)
    seeded.write_articles([make_enriched(f"id-{n}", f"2025-10-2{n}T00:00:00+00:00") for n in range(4)])
    seeded.close()
    _use_database(monkeypatch, url)
    publishers: list[FakePublisher] = []

    def open_publisher(settings: object) -> FakePublisher:
        publishers.append(FakePublisher())
        return publishers[-1]

    monkeypatch.setattr(producer, "ArticlePublisher", open_publisher)
    result = CliRunner().invoke(replay_command, ["--since", "2025-10-21", "--until", "2025-10-23", "--quiet"])
    assert result.exit_code == 0, result.output
    [publisher] = publishers
    assert [a.id for a in publisher.sent] == ["id-1", "id-2"] and publisher.closed
    assert "replayed 2 article(s)" in result.stderr
