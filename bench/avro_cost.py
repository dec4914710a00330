"""Avro cost per article: encode and decode of an enriched seed article (single-object encoding),
and the wire size. Pure CPU, no broker."""

from __future__ import annotations

import statistics
import time

from bench.corpus import seed_corpus
from streams.enrich import Enricher
from streams.wire.avro import AvroSerializer


def measure(rounds: int = 2000) -> dict[str, float]:
    enriched = Enricher().enrich_batch(seed_corpus(37))
    codec = AvroSerializer("enriched_article")
    records = [article.to_record() for article in enriched]
    encoded = [codec.encode(record) for record in records]
    encode_times, decode_times = [], []
    for _ in range(max(1, rounds // len(records))):
        started = time.perf_counter()
        for record in records:
            codec.encode(record)
        encode_times.append((time.perf_counter() - started) / len(records))
        started = time.perf_counter()
        for data in encoded:
            codec.decode(data)
        decode_times.append((time.perf_counter() - started) / len(records))
    return {
        "encode_ms": statistics.median(encode_times) * 1000,
        "decode_ms": statistics.median(decode_times) * 1000,
        "bytes": statistics.mean(len(data) for data in encoded),
        "events": statistics.mean(len(article.events) for article in enriched),
    }


if __name__ == "__main__":
    figures = measure()
    print(
        f"enriched article ({figures['events']:.0f} events on average, {figures['bytes']:.0f} bytes on the wire): "
        f"encode {figures['encode_ms']:.3f} ms, decode {figures['decode_ms']:.3f} ms"
    )
