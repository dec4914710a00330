"""The enrich stage on mixed input, without a broker: bad messages become dead letters, good ones flow."""

from streams.core.models import Article
from streams.stages.decode import RawMessage
from streams.stages.enrich import EnrichStage
from streams.wire.avro import AvroSerializer
from streams.wire.codec import Codecs


def _message(value: bytes | None, offset: int) -> RawMessage:
    return RawMessage(key=None, value=value, topic="news.articles", partition=0, offset=offset)


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


def test_articles_in_other_languages_are_routed_dead_lettered_or_enriched_as_configured(enricher):
    """The English pipeline does not code French: by default it passes the article on unchanged."""
    codec = AvroSerializer("article")
    french = codec.encode(
        Article(
            id="fr-1",
            title="Manifestation",
            body="Des milliers de personnes ont manifesté.",
            language="fr",
            ingested_at=1,
        ).to_record()
    )
    english = codec.encode(Article(id="en-1", title="Protest", body="Thousands protested.", ingested_at=1).to_record())
    messages = [_message(french, 0), _message(english, 1)]
    codecs = Codecs.for_settings()

    routed, enriched = EnrichStage(enricher, codecs, other_languages="route").process(messages)
    assert [a.id for a in enriched] == ["en-1"]
    assert routed.other_languages == [(b"fr-1", french)] and not routed.dead_letters

    dead, _ = EnrichStage(enricher, codecs, other_languages="deadletter").process(messages)
    assert [(d.reason, d.payload) for d in dead.dead_letters] == [("unsupported_language", french)]

    _, anyway = EnrichStage(enricher, codecs, other_languages="enrich").process(messages)
    assert [a.id for a in anyway] == ["fr-1", "en-1"]
