"""The enrich stage run where the worker runs it: in a spawned child process (the default) or a
thread. Both give the same outputs, dead letters and event types as the stage called directly."""

from __future__ import annotations

import asyncio

import pytest

from streams.config import load_settings
from streams.runtime.nlp_process import NlpRunner
from streams.stages.decode import RawMessage
from streams.stages.enrich import EnrichStage
from streams.wire.avro import AvroSerializer
from streams.wire.codec import Codecs


@pytest.mark.parametrize("kind", ["process", "thread"])
def test_the_runner_gives_what_the_stage_gives(kind, enricher, seed_article):
    good = AvroSerializer("article").encode(seed_article.to_record())
    messages = [
        RawMessage(key=None, value=good, topic="news.articles", partition=0, offset=0),
        RawMessage(key=None, value=b"garbage", topic="news.articles", partition=0, offset=1),
    ]
    expected, articles = EnrichStage(enricher, Codecs.for_settings()).process(messages)
    runner = NlpRunner(load_settings(nlp_executor=kind))
    try:
        runner.wait_loaded(timeout=180)
        outcome = asyncio.run(runner.enrich(messages))
    finally:
        runner.shutdown()
    assert outcome.result.outputs == expected.outputs
    assert [letter.reason for letter in outcome.result.dead_letters] == ["undecodable"]
    assert outcome.event_types == [[event.type for event in article.events] for article in articles]
    assert outcome.event_types[0], "the seed article codes events"


def test_the_batch_size_setting_reaches_spacy():
    """NEWSSTREAM_BATCH_SIZE sizes nlp.pipe's batches too, not only the agent's (regression: it was 32 always)."""
    from streams.config import load_settings
    from streams.runtime.nlp_process import build_stage

    assert build_stage(load_settings(batch_size=7)).batch_size == 7
