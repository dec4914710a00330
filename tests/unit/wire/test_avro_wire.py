import struct

import pytest

from streams.core.errors import SchemaError
from streams.core.models import Alert, DeadLetter
from streams.wire.avro import SINGLE_OBJECT_MAGIC, AvroSerializer


def crc64_avro(data: bytes) -> int:
    """CRC-64-AVRO (Rabin) written from the Avro specification, independently of the avro package."""
    empty = 0xC15D213AA4D7A795
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (empty & -(fp & 1))
        table.append(fp)
    fp = empty
    for byte in data:
        fp = (fp >> 8) ^ table[(fp ^ byte) & 0xFF]
    return fp


@pytest.mark.parametrize("name", ["article", "enriched_article", "alert", "dead_letter"])
def test_single_object_header_carries_the_spec_fingerprint(name: str):
    """C3 01 then the little-endian CRC-64-AVRO of the schema's canonical form (Avro spec)."""
    serializer = AvroSerializer(name)
    expected = struct.pack("<Q", crc64_avro(serializer.schema.canonical_form.encode("utf-8")))
    assert serializer.fingerprint == expected


def test_enriched_seed_round_trips(enriched_seed):
    """An enriched article survives encode/decode unchanged."""
    codec = AvroSerializer("enriched_article")
    data = codec.encode(enriched_seed.to_record())
    assert data[:2] == SINGLE_OBJECT_MAGIC
    assert codec.decode(data) == enriched_seed.to_record()


def test_alert_and_dead_letter_round_trip():
    """The alert and dead-letter records round-trip, bytes fields included."""
    alert = Alert("id1", "rule", "warning", "match", "t", "s", ["a"], "story", ["ASSAULT"], ["PK"], 123)
    letter = DeadLetter(b"\x00\xff", None, "news.articles", 3, 42, "enrich", "undecodable", "SchemaError", "bad", 9)
    assert AvroSerializer("alert").decode(AvroSerializer("alert").encode(alert.to_record())) == alert.to_record()
    codec = AvroSerializer("dead_letter")
    assert codec.decode(codec.encode(letter.to_record())) == letter.to_record()


@pytest.mark.parametrize(
    "payload",
    [b"", b'{"title": "json"}', b"\xc3\x01" + b"\x00" * 8 + b"\x02", b"\xc3\x01garbage!!"],
    ids=["empty", "json", "wrong-fingerprint", "short-header"],
)
def test_garbage_raises_schema_error(payload: bytes):
    """Anything that is not a framed Article is a SchemaError, never another exception."""
    with pytest.raises(SchemaError):
        AvroSerializer("article").decode(payload)


def test_truncated_and_padded_bodies_are_rejected(seed_article):
    """A truncated record and one with trailing bytes are both undecodable."""
    codec = AvroSerializer("article")
    data = codec.encode(seed_article.to_record())
    with pytest.raises(SchemaError):
        codec.decode(data[: len(data) // 2])
    with pytest.raises(SchemaError):
        codec.decode(data + b"\x00\x01")


def test_encoding_an_invalid_record_raises_schema_error():
    """A record that does not match its schema is refused at encode time."""
    with pytest.raises(SchemaError):
        AvroSerializer("article").encode({"id": 1, "title": "t"})
