"""Property: whatever bytes arrive, decoding never raises and every message is either an article
or a dead letter with a reason — nothing is dropped, nothing passes that should not."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.stages.decode import RawMessage, decode_articles
from streams.wire.codec import Codecs
from tests.support.hostile import ARTICLE, good_article, hostile_message

CODECS = Codecs.for_settings()


def _raw(key: bytes | None, value: bytes | None, offset: int) -> RawMessage:
    return RawMessage(key=key, value=value, topic="news.articles", partition=0, offset=offset)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.binary(max_size=40)), st.binary(max_size=400)), max_size=20))
def test_arbitrary_bytes_are_dead_lettered_never_raised(items):
    messages = [_raw(key, value, i) for i, (key, value) in enumerate(items)]
    good, dead = decode_articles(messages, CODECS, 200_000)
    assert len(good) + len(dead) == len(messages)
    assert all(letter.reason and letter.error_message for letter in dead)
    assert sorted(letter.offset for letter in dead) == sorted(set(range(len(messages))) - {m.offset for m, _ in good})


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=30))
def test_hostile_kinds_get_their_reasons_and_good_articles_pass(seed, count):
    rng = random.Random(seed)
    hostile = [hostile_message(rng) for _ in range(count)]
    good = [good_article(i) for i in range(3)]
    messages = [_raw(h.key, h.value, i) for i, h in enumerate(hostile)]
    messages += [_raw(a.id.encode(), ARTICLE.encode(a.to_record()), count + i) for i, a in enumerate(good)]
    rng.shuffle(messages)
    passed, dead = decode_articles(messages, CODECS, 200_000)
    assert sorted(article.id for _, article in passed) == [a.id for a in good]
    by_offset = {letter.offset: letter.reason for letter in dead}
    for offset, item in enumerate(hostile):
        assert by_offset[offset] in item.reasons, (item.kind, by_offset[offset])
