"""Latency at a steady load: one worker, articles published at a fixed rate (by default half of
the throughput just measured) for a while; produce->stored from each stored row (stored_at -
ingested_at) and produce->alert from the worker's histogram. Needs the local broker."""

from __future__ import annotations

import argparse
import re
import statistics
import time
import urllib.request

from bench.corpus import seed_corpus
from bench.pipeline_throughput import cluster
from streams.ingest.producer import ArticlePublisher, IngestReport


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _histogram_quantile(metrics: str, name: str, q: float) -> float:
    """Prometheus' histogram_quantile over one histogram's cumulative buckets."""
    buckets = [
        (float("inf") if le == "+Inf" else float(le), float(count))
        for le, count in re.findall(rf'^{name}_bucket{{le="([^"]+)"}} (\S+)$', metrics, re.MULTILINE)
    ]
    if not buckets or buckets[-1][1] == 0:
        return float("nan")
    rank, previous_le, previous_count = q * buckets[-1][1], 0.0, 0.0
    for le, count in buckets:
        if count >= rank:
            if le == float("inf"):
                return previous_le
            return previous_le + (le - previous_le) * (rank - previous_count) / max(count - previous_count, 1e-9)
        previous_le, previous_count = le, count
    return float("nan")


def run(rate: float, seconds: float, batch: int = 32, batch_seconds: float | None = None) -> dict[str, float]:
    total = max(1, int(rate * seconds))
    articles = seed_corpus(total)
    with cluster(1, batch, batch_seconds=batch_seconds) as bench:
        publisher = ArticlePublisher(bench.config)
        report = IngestReport()
        started = time.perf_counter()
        for index, article in enumerate(articles):
            wait = started + index / rate - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            publisher.publish(article)
            publisher.flush(report)  # each article leaves now, not in a burst at the end
        publisher.close()
        bench.wait_stored(total)
        from streams.storage import open_storage

        stored_ms = open_storage(bench.config.database_url).store_latencies_ms()
        with urllib.request.urlopen(f"http://127.0.0.1:{bench.env['WEB_PORT_0']}/metrics", timeout=10) as answer:
            metrics = answer.read().decode()
    return {
        "rate": rate,
        "articles": total,
        "stored_p50_s": _quantile(stored_ms, 0.50) / 1000,
        "stored_p99_s": _quantile(stored_ms, 0.99) / 1000,
        "stored_mean_s": statistics.mean(stored_ms) / 1000,
        "alert_p50_s": _histogram_quantile(metrics, "newsstream_produce_to_alert_seconds", 0.50),
        "alert_p99_s": _histogram_quantile(metrics, "newsstream_produce_to_alert_seconds", 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=6.0, help="articles per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--batch-seconds", type=float, default=None, help="NEWSSTREAM_BATCH_SECONDS (default: its default)"
    )
    args = parser.parse_args()
    result = run(args.rate, args.seconds, batch_seconds=args.batch_seconds)
    print(
        f"{result['articles']} articles at {result['rate']:.1f}/s: produce->stored p50 {result['stored_p50_s']:.3f} s, "
        f"p99 {result['stored_p99_s']:.3f} s; produce->alert p50 {result['alert_p50_s']:.3f} s, "
        f"p99 {result['alert_p99_s']:.3f} s"
    )


if __name__ == "__main__":
    main()
