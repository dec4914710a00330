"""Malformed messages for news.articles, by kind, with the dead-letter reason each must get."""

from __future__ import annotations

import random
from dataclasses import dataclass

from streams.core.models import Alert, Article
from streams.wire.avro import AvroSerializer

ARTICLE = AvroSerializer("article")
ALERT = AvroSerializer("alert")


@dataclass(frozen=True, slots=True)
class Hostile:
    kind: str
    key: bytes | None
    value: bytes | None
    reasons: frozenset[str]  # the dead-letter reasons this message may get


def _article(rng: random.Random, **fields: object) -> Article:
    n = rng.randrange(10**9)
    values: dict[str, object] = {
        "id": f"fuzz-{n}",
        "title": f"Report {n}",
        "body": f"Police dispersed a protest in Nairobi on day {n}.",
        "ingested_at": 1,
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


def hostile_message(rng: random.Random) -> Hostile:
    """One malformed message of a random kind."""
    # huge bodies are 250 kB each: a few dozen in 10,000 prove the limit without shipping 300 MB
    kinds = [
        "not_avro",
        "truncated",
        "wrong_schema",
        "huge",
        "not_utf8",
        "empty_body",
        "html_only",
        "wrong_key",
        "empty",
    ]
    kind = rng.choices(kinds, weights=[12, 12, 12, 0.5, 12, 12, 12, 12, 12])[0]
    if kind == "not_avro":
        value = rng.randbytes(rng.randrange(1, 300))
        if value[:2] == b"\xc3\x01":
            value = b"x" + value
        return Hostile(kind, b"k", value, frozenset({"undecodable"}))
    if kind == "truncated":
        whole = ARTICLE.encode(_article(rng).to_record())
        return Hostile(kind, None, whole[: rng.randrange(1, len(whole) - 1)], frozenset({"undecodable"}))
    if kind == "wrong_schema":
        alert = Alert(
            id="a",
            rule="r",
            severity="info",
            kind="rule",
            title="t",
            summary="s",
            article_ids=["x"],
            story_id="s",
            event_types=[],
            countries=[],
            created_at=1,
        )
        return Hostile(kind, None, ALERT.encode(alert.to_record()), frozenset({"undecodable"}))
    if kind == "huge":
        article = _article(rng, body="word " * 50_000)
        return Hostile(kind, article.id.encode(), ARTICLE.encode(article.to_record()), frozenset({"too_large"}))
    if kind == "not_utf8":
        article = _article(rng, title="T" * 12)
        encoded = ARTICLE.encode(article.to_record())
        broken = encoded.replace(b"T" * 12, b"\xff\xfe" * 6, 1)
        return Hostile(kind, article.id.encode(), broken, frozenset({"undecodable", "invalid"}))
    if kind == "empty_body":
        article = _article(rng, title="", body=rng.choice(["", "   ", "\n\t"]))
        return Hostile(kind, article.id.encode(), ARTICLE.encode(article.to_record()), frozenset({"invalid"}))
    if kind == "html_only":
        article = _article(
            rng, title="", body=rng.choice(["<div></div>", "<p><br/></p>", "<html><body> </body></html>"])
        )
        return Hostile(kind, article.id.encode(), ARTICLE.encode(article.to_record()), frozenset({"invalid"}))
    if kind == "wrong_key":
        article = _article(rng)
        return Hostile(
            kind, b"not-" + article.id.encode(), ARTICLE.encode(article.to_record()), frozenset({"wrong_key"})
        )
    # a tombstone (no value) or an empty value; Kafka needs a key where there is no value
    return Hostile(kind, b"k", rng.choice([None, b""]), frozenset({"empty"}))


def good_article(index: int) -> Article:
    return Article(
        id=f"good-fuzz-{index:05d}",
        title=f"Protest {index}",
        body=f"Thousands protested in Nairobi on day {index}, organisers said.",
        ingested_at=1,
    )
