"""10,000 malformed messages on news.articles, interleaved with good ones, through the running
worker: every bad one is a dead letter with its reason, every good one is stored, the worker
never restarts."""

from __future__ import annotations

import random
import re

import psycopg
import pytest

from streams.wire.avro import AvroSerializer
from tests.integration.conftest import produce_raw, read_topic, wait_for
from tests.support.hostile import ARTICLE, good_article, hostile_message

pytestmark = [pytest.mark.integration, pytest.mark.drill]

BAD, GOOD = 10_000, 300


def test_ten_thousand_malformed_messages_dead_lettered_and_every_good_one_stored(worker, pipeline_env, pg_url):
    rng = random.Random(20261127)
    hostile = [hostile_message(rng) for _ in range(BAD)]
    good = [good_article(i) for i in range(GOOD)]
    items: list[tuple[bytes | None, bytes | None]] = [(h.key, h.value) for h in hostile]
    for article in good:  # interleaved at random places
        items.insert(rng.randrange(len(items) + 1), (article.id.encode(), ARTICLE.encode(article.to_record())))
    produce_raw(pipeline_env["NEWSSTREAM_TOPIC_ARTICLES"], items)

    codec = AvroSerializer("dead_letter")
    letters = [
        codec.decode(v)
        for v in read_topic(pipeline_env["NEWSSTREAM_TOPIC_DEADLETTER"], until=lambda v: len(v) >= BAD, timeout=600)
    ]
    assert len(letters) == BAD, f"{len(letters)} dead letters\n{worker.log_tail()}"
    assert all(letter["reason"] and letter["error_message"] and letter["stage"] == "enrich" for letter in letters)

    # each kind got its reason: count per reason against what was sent
    allowed: dict[str, set[str]] = {}
    for item in hostile:
        allowed.setdefault(item.kind, set()).update(item.reasons)
    reasons = {letter["reason"] for letter in letters}
    assert reasons <= set().union(*allowed.values())
    for exact in ("too_large", "wrong_key", "empty"):
        sent = sum(1 for h in hostile if h.reasons == {exact})
        assert sum(1 for letter in letters if letter["reason"] == exact) == sent, exact

    def stored() -> int:
        with psycopg.connect(pg_url) as conn:
            try:
                row = conn.execute("SELECT COUNT(*) FROM articles WHERE id LIKE 'good-fuzz-%'").fetchone()
            except psycopg.errors.UndefinedTable:
                return 0
        return int(row[0]) if row else 0

    wait_for(lambda: stored() == GOOD, 600, lambda: f"{stored()} of {GOOD} good articles\n{worker.log_tail()}")

    # one worker start, never a crash or an agent restart
    assert worker.alive
    log = worker.log_path.read_text(errors="replace")
    assert log.count("[^Worker]: Ready") == 1
    assert "Traceback" not in log
    counted = sum(
        float(v)
        for v in re.findall(
            r'^newsstream_dead_letters_total\{[^}]*stage="enrich"\} (\S+)$', worker.metrics(), re.MULTILINE
        )
    )
    assert counted == BAD
