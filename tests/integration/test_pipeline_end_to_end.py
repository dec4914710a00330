"""Files in -> enriched records on the topic -> rows in PostgreSQL -> alerts on the alerts topic,
and garbage in -> dead letters out, with the worker alive throughout. Real broker, real database."""

from __future__ import annotations

import json
import time
from itertools import zip_longest
from pathlib import Path

import psycopg
import pytest

from streams.core.errors import SchemaError
from streams.core.identity import article_id
from streams.core.models import Article
from streams.wire.avro import AvroSerializer
from tests.integration.conftest import ROOT, produce_raw, read_topic, run_cli, wait_for

pytestmark = pytest.mark.integration

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
ARTICLE_COUNT = "SELECT COUNT(*) FROM articles"


def _count(pg_url: str, sql: str, params: tuple[object, ...] = ()) -> int:
    with psycopg.connect(pg_url) as conn:
        try:
            return int(conn.execute(sql, params).fetchone()[0])  # type: ignore[index]
        except psycopg.errors.UndefinedTable:
            return 0


def test_seed_files_flow_to_postgres_and_alerts(worker, pipeline_env, pg_url):
    """Every seed file is enriched, stored once in PostgreSQL, and the seed article raises alerts."""
    # the seed first, so its story starts with it whatever order the other seeds arrive in
    first = run_cli(
        pipeline_env, "ingest", "--quiet", str(ROOT / "seeds" / "pakistan-afghan-taliban-talks-istanbul.txt")
    )
    assert first.returncode == 0, first.stderr.decode()
    result = run_cli(pipeline_env, "ingest", "--quiet", str(ROOT / "seeds"))
    assert result.returncode == 0, result.stderr.decode()
    assert f"published {len(SEEDS)} article(s)" in result.stderr.decode()

    wait_for(
        lambda: _count(pg_url, "SELECT COUNT(*) FROM articles") >= len(SEEDS),
        240,
        lambda: f"only {_count(pg_url, ARTICLE_COUNT)} of {len(SEEDS)} stored\n{worker.log_tail()}",
    )
    assert _count(pg_url, "SELECT COUNT(*) FROM articles") == len(SEEDS)

    # the enriched topic carries Avro records with the contract's fields
    codec = AvroSerializer("enriched_article")
    values = read_topic(pipeline_env["NEWSSTREAM_TOPIC_ENRICHED"], until=lambda v: len(v) >= len(SEEDS))
    records = [codec.decode(v) for v in values]
    seed = next(r for r in records if r["title"].startswith("Pakistan-Afghan Taliban Dialogue Collapses"))
    assert {"PK", "AF"} <= set(seed["countries"])
    assert {"CONSULT", "REJECT", "ACCUSE", "AGREE", "ASSAULT"} <= {e["type"] for e in seed["events"]}

    # rows in PostgreSQL match the record
    with psycopg.connect(pg_url) as conn:
        stored_events = conn.execute("SELECT COUNT(*) FROM events WHERE article_id = %s", (seed["id"],)).fetchone()
        stored_entities = conn.execute(
            "SELECT canonical FROM entities WHERE article_id = %s AND label = 'PERSON'", (seed["id"],)
        ).fetchall()
    assert stored_events[0] == len(seed["events"])
    assert ("Attaullah Tarar",) in stored_entities

    # the default rules alert on the seed story, on the topic and in the database
    alert_codec = AvroSerializer("alert")
    alerts = [
        alert_codec.decode(v)
        for v in read_topic(
            pipeline_env["NEWSSTREAM_TOPIC_ALERTS"],
            until=lambda v: any(seed["id"] in alert_codec.decode(x)["article_ids"] for x in v),
        )
    ]
    seed_alerts = [a for a in alerts if seed["id"] in a["article_ids"]]
    seed_rules = {a["rule"] for a in seed_alerts}
    assert seed_alerts, f"no alert names the seed; {len(alerts)} alerts on the topic\n{worker.log_tail(200)}"
    story = seed_alerts[0]["story_id"]
    assert "pakistan-afghanistan-conflict" in seed_rules
    wait_for(
        lambda: _count(pg_url, "SELECT COUNT(*) FROM alerts WHERE story_id = %s", (story,)) > 0,
        60,
        lambda: "seed alerts never stored",
    )
    # and were delivered to the real Alertmanager, labelled by rule and story
    import httpx

    def in_alertmanager() -> set[str]:
        alerts = httpx.get(f"{pipeline_env['NEWSSTREAM_ALERTMANAGER_URL']}/api/v2/alerts", timeout=5).json()
        return {a["labels"]["rule"] for a in alerts if a["labels"].get("story_id") == story}

    wait_for(
        lambda: "pakistan-afghanistan-conflict" in in_alertmanager(),
        60,
        lambda: f"Alertmanager has {in_alertmanager()}",
    )
    assert worker.alive


def test_garbage_goes_to_the_dead_letter_topic_and_good_messages_still_arrive(worker, pipeline_env, pg_url):
    """Undecodable and invalid messages become dead letters with reasons; the worker keeps going."""
    codec = AvroSerializer("article")
    good = [
        Article(
            id=f"good-{i}",
            title=f"Protest number {i}",
            body=f"Thousands protested in Nairobi on day {i}.",
            ingested_at=1,
        )
        for i in range(5)
    ]
    encoded = codec.encode(good[0].to_record())
    garbage: list[tuple[bytes | None, bytes | None]] = [
        (b"k1", b"this is not avro"),
        (b"k2", json.dumps({"title": "json instead of avro"}).encode()),
        (b"k3", encoded[: len(encoded) // 2]),
        (None, b""),
        (b"k5", codec.encode(Article(id="empty", title="", body="   ", ingested_at=1).to_record())),
        (b"k6", b"\xc3\x01" + b"\x00" * 8 + b"\x02\x03"),
    ]
    good_items = [(a.id.encode(), codec.encode(a.to_record())) for a in good]
    items = [item for pair in zip_longest(good_items, garbage) for item in pair if item is not None]
    produce_raw(pipeline_env["NEWSSTREAM_TOPIC_ARTICLES"], items)

    dead_codec = AvroSerializer("dead_letter")
    letters = [
        dead_codec.decode(v)
        for v in read_topic(pipeline_env["NEWSSTREAM_TOPIC_DEADLETTER"], until=lambda v: len(v) >= len(garbage))
    ]
    assert len(letters) == len(garbage)
    assert {letter["reason"] for letter in letters} == {"undecodable", "empty", "invalid"}
    assert {letter["payload"] for letter in letters} == {value or b"" for _, value in garbage}
    assert all(
        letter["topic"] == pipeline_env["NEWSSTREAM_TOPIC_ARTICLES"] and letter["stage"] == "enrich"
        for letter in letters
    )

    ids = tuple(a.id for a in good)
    wait_for(
        lambda: _count(pg_url, "SELECT COUNT(*) FROM articles WHERE id = ANY(%s)", (list(ids),)) == len(good),
        120,
        lambda: f"good articles missing\n{worker.log_tail()}",
    )
    assert worker.alive
    metrics = worker.metrics()
    assert 'newsstream_dead_letters_total{reason="undecodable",stage="enrich"}' in metrics


def test_redelivered_articles_are_stored_once(worker, pipeline_env, pg_url, tmp_path: Path):
    """Ingesting the same file three times leaves one row for the article."""
    article_file = tmp_path / "one.jsonl"
    article_file.write_text(
        json.dumps(
            {
                "url": "https://example.org/news/1?utm_source=x",
                "title": "Talks held",
                "body": "Delegations met in Doha on Monday for talks.",
            }
        )
        + "\n"
    )
    for _ in range(3):
        assert run_cli(pipeline_env, "ingest", "--quiet", str(article_file)).returncode == 0
    wanted = article_id(url="https://example.org/news/1", title="", body="")
    codec = AvroSerializer("article")
    published = []
    for value in read_topic(pipeline_env["NEWSSTREAM_TOPIC_ARTICLES"], until=lambda v: False, timeout=3):
        try:
            published.append(codec.decode(value)["id"])
        except SchemaError:
            continue  # the previous test's garbage shares this topic
    assert published.count(wanted) == 3
    wait_for(
        lambda: _count(pg_url, "SELECT COUNT(*) FROM articles WHERE id = %s", (wanted,)) == 1,
        60,
        lambda: "article never stored",
    )
    time.sleep(3)  # give the later copies time to arrive and upsert
    assert _count(pg_url, "SELECT COUNT(*) FROM articles WHERE id = %s", (wanted,)) == 1
    assert _count(pg_url, "SELECT COUNT(*) FROM events WHERE article_id = %s", (wanted,)) >= 1
