"""The enrich stage on mixed input, without a broker: bad messages become dead letters, good ones flow."""

from streams.avro_wire import AvroSerializer
from streams.codec import Codecs
from streams.models import Article
from streams.stages import EnrichStage, RawMessage


def _message(value: bytes | None, offset: int) -> RawMessage:
    return RawMessage(key=b"k", value=value, topic="news.articles", partition=0, offset=offset)


def test_garbage_is_dead_lettered_with_reasons_and_good_articles_pass(enricher, seed_article):
    """Each bad message keeps its bytes, origin and a reason; every good one is enriched."""
    codec = AvroSerializer("article")
    good = codec.encode(seed_article.to_record())
    empty_body = codec.encode(Article(id="x", title="", body="  ", ingested_at=1).to_record())
    huge = codec.encode(Article(id="y", title="t", body="word " * 50_000, ingested_at=1).to_record())
    messages = [
        _message(b"not avro at all", 0),
        _message(good, 1),
        _message(good[:20], 2),
        _message(None, 3),
        _message(empty_body, 4),
        _message(huge, 5),
        _message(good, 6),
    ]
    result, enriched = EnrichStage(enricher, Codecs.for_settings(), max_body_chars=100_000).process(messages)
    assert [a.id for a in enriched] == [seed_article.id, seed_article.id]
    assert len(result.outputs) == 2
    reasons = {letter.offset: letter.reason for letter in result.dead_letters}
    assert reasons == {0: "undecodable", 2: "undecodable", 3: "empty", 4: "invalid", 5: "too_large"}
    assert result.dead_letters[0].payload == b"not avro at all"
