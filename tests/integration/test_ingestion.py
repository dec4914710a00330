"""Continuous ingestion on the real broker: feeds from a local news site and HTTP push, through
the running worker into PostgreSQL, each article once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from streams.core.identity import canonical_url
from tests.integration.conftest import ROOT, _free_port, run_cli, wait_for
from tests.support.news_site import NewsSite, serve_site, standard_site

pytestmark = pytest.mark.integration


def _urls(pg_url: str) -> list[str]:
    with psycopg.connect(pg_url) as conn:
        try:
            return [row[0] for row in conn.execute("SELECT url FROM articles WHERE url IS NOT NULL ORDER BY url")]
        except psycopg.errors.UndefinedTable:
            return []  # the worker creates its tables with its first batch


@pytest.fixture
def site():
    with serve_site() as running:
        yield running


def test_feeds_flow_to_storage_once_across_passes_and_restarts(worker, pipeline_env, pg_url, site: NewsSite, tmp_path):
    feeds = standard_site(site)
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text("feeds:\n" + "".join(f"  - url: {url}\n    name: {name}\n" for name, url in feeds.items()))
    env = {**pipeline_env, "NEWSSTREAM_FETCH_TIMEOUT": "1", "NEWSSTREAM_PER_HOST_INTERVAL": "0"}
    state = tmp_path / "feeds.sqlite"

    first = run_cli(env, "ingest", "--feeds", str(feeds_file), "--once", "--state", str(state))
    report = first.stderr.decode()
    assert first.returncode == 0, report
    assert "published 4 article(s) from 5 feed(s); 2 feed(s) failed" in report
    assert "malformed: FAILED" in report and "timeout: FAILED" in report

    expected = sorted(
        canonical_url(f"{site.base}{path}")
        for path in ("/world/border-clashes", "/world/ceasefire-talks", "/world/flood-relief", "/private/leak")
    )
    wait_for(lambda: _urls(pg_url) == expected, 120, lambda: f"stored {_urls(pg_url)}\n{worker.log_tail()}")

    # a second pass (a restart: a new process on the same state file) publishes nothing new
    second = run_cli(env, "ingest", "--feeds", str(feeds_file), "--once", "--state", str(state))
    assert "published 0 article(s)" in second.stderr.decode(), second.stderr.decode()
    time.sleep(3)
    assert _urls(pg_url) == expected
    with psycopg.connect(pg_url) as conn:
        events = conn.execute(
            "SELECT COUNT(*) FROM events e JOIN articles a ON a.id = e.article_id WHERE a.url LIKE %s",
            ("%/border-clashes",),
        ).fetchone()
    assert events and events[0] >= 1  # enriched, not only stored
    assert worker.alive


def test_http_push_accepts_good_batches_and_refuses_bad_ones(worker, pipeline_env, pg_url):
    port = _free_port()
    env = {**pipeline_env, "NEWSSTREAM_PUSH_PORT": str(port), "NEWSSTREAM_PUSH_TOKEN": "s3cret-token"}
    server = subprocess.Popen(
        [sys.executable, "-m", "streams", "serve"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/articles"
    try:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 60, lambda: "push server never answered")
        good = [
            {
                "url": f"https://push.example/story-{i}?utm_source=x",
                "title": f"Clashes in Goma {i}",
                "body": f"Fighting broke out in Goma on Monday, killing {i + 2} people, officials said.",
            }
            for i in range(3)
        ]
        auth = {"Authorization": "Bearer s3cret-token"}
        assert httpx.post(url, json=good, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert httpx.post(url, json=[{"title": 5}], headers=auth).status_code == 422
        assert (
            httpx.post(url, content=b"{not json", headers={**auth, "Content-Type": "application/json"}).status_code
            == 400
        )
        big = json.dumps({"title": "x", "body": "y" * (5 * 1024 * 1024)}).encode()
        assert httpx.post(url, content=big, headers={**auth, "Content-Type": "application/json"}).status_code == 413
        accepted = httpx.post(url, json=good, headers=auth)
        assert accepted.status_code == 202, accepted.text
        ids = accepted.json()["ids"]
        assert len(ids) == 3

        def stored() -> int:
            with psycopg.connect(pg_url) as conn:
                try:
                    row = conn.execute("SELECT COUNT(*) FROM articles WHERE id = ANY(%s)", (ids,)).fetchone()
                except psycopg.errors.UndefinedTable:
                    return 0
            return int(row[0]) if row else 0

        wait_for(lambda: stored() == 3, 120, lambda: f"{stored()} of 3 pushed articles stored\n{worker.log_tail()}")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_ingest_with_a_bad_feed_list_fails_fast_naming_the_line(pipeline_env, tmp_path: Path):
    bad = tmp_path / "feeds.yaml"
    bad.write_text("feeds:\n  - url: https://ok.example/rss\n  - url: not-a-url\n")
    result = run_cli(pipeline_env, "ingest", "--feeds", str(bad), "--once")
    assert result.returncode != 0
    assert f"{bad}:3: url must be an http(s) URL" in result.stderr.decode()


def test_replay_republishes_stored_articles_and_storage_keeps_one_row_each(worker, pipeline_env, pg_url):
    """Replay from PostgreSQL: every stored article goes through the pipeline again, stored once."""
    with psycopg.connect(pg_url) as conn:
        before = dict(conn.execute("SELECT id, stored_at FROM articles").fetchall())
    assert before, "the tests above store articles first"
    dry = run_cli(pipeline_env, "replay", "--dry-run")
    assert f"would replay {len(before)} article(s)" in dry.stderr.decode(), dry.stderr.decode()

    result = run_cli(pipeline_env, "replay", "--quiet")
    assert result.returncode == 0, result.stderr.decode()
    assert f"replayed {len(before)} article(s)" in result.stderr.decode()

    def restored() -> int:
        with psycopg.connect(pg_url) as conn:
            after = dict(conn.execute("SELECT id, stored_at FROM articles").fetchall())
        return sum(1 for article, stamp in after.items() if article in before and stamp > before[article])

    wait_for(lambda: restored() == len(before), 120, lambda: f"{restored()} of {len(before)} re-stored")
    with psycopg.connect(pg_url) as conn:
        count = conn.execute("SELECT COUNT(*) FROM articles").fetchone()
    assert count and count[0] == len(before)
