"""Soak: one worker at a steady fraction of its throughput for a long time, over text that keeps
changing, and how it holds: resident memory of the worker and of its NLP process over time,
consumer lag (published - stored), produce->stored p99 per interval, and whether every article
arrived. Needs the local broker (`make kafka`).

The text is varied on purpose. spaCy adds every new word it meets to its vocabulary, so the same
articles replayed prove nothing about memory: each article here is put together from sentences of
the seed and dev sets, with invented names (people, towns, groups) and fresh numbers, so the worker
meets words it has never seen all the time, as it would on real news.

    python bench/soak.py --minutes 60 --rate 7      # the figures in README.md
    python bench/soak.py --minutes 3                # a quick look
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import ROOT
from bench.pipeline_throughput import _children, _rss_mib, cluster
from streams.core.models import Article
from streams.ingest.producer import ArticlePublisher, IngestReport
from streams.ingest.sources import read_articles
from streams.storage import open_storage

SYLLABLES = "ka ro mi zu ten vash ol dri ba nek sa lu gor pha yin tas mer qui do rek al bu".split()


def _sentences() -> list[str]:
    texts = [a.body for a in read_articles([ROOT / "seeds"]) if isinstance(a, Article)]
    for name in ("dev_articles.jsonl", "dev_acled.jsonl"):
        for line in (ROOT / "bench" / "data" / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts.append(record.get("body") or record.get("text") or "")
    found = [s.strip() for text in texts for s in re.split(r"(?<=[.!?])\s+", text) if 40 <= len(s.strip()) <= 400]
    return sorted(set(found))


def _invented_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def varied_articles(seed: int = 7) -> Iterator[Article]:
    """An endless stream of distinct articles: 3-8 sentences each, capitalised words swapped for
    invented names a third of the time, numbers replaced."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test text, not secrets
    sentences = _sentences()
    capitalised = re.compile(r"(?<=[a-z,] )[A-Z][a-z]{3,}")
    number = re.compile(r"\b\d{1,3}(?= [a-z])")  # counts ("12 people"), not dates
    for n in range(10**9):
        picked = rng.sample(sentences, rng.randint(3, 8))
        text = " ".join(picked)
        text = capitalised.sub(lambda m: _invented_name(rng) if rng.random() < 0.33 else m[0], text)
        text = number.sub(lambda m: str(rng.randint(1, 300)), text)
        title = " ".join(picked[0].split()[:10])
        yield Article(id=f"soak-{seed}-{n:08d}", title=title, body=text, ingested_at=1)


def _rss(pid: int) -> tuple[float, float]:
    """(worker process, its child processes) resident MiB."""
    return _rss_mib(pid), sum(_rss_mib(child) for child in _children(pid))


def run(
    minutes: float, rate: float, sample_seconds: float = 60.0, story_horizon_hours: float | None = None
) -> dict[str, object]:
    stream = varied_articles()
    samples: list[dict[str, float]] = []
    settings = {"story_horizon_hours": str(story_horizon_hours)} if story_horizon_hours else {}
    with cluster(1, 32, settings=settings) as bench:
        database = open_storage(bench.config.database_url)
        publisher = ArticlePublisher(bench.config)
        report = IngestReport()
        pid = bench.processes[0].pid
        started = time.perf_counter()
        published = 0
        next_sample = started + sample_seconds
        window_start_ms = int(time.time() * 1000)
        while time.perf_counter() - started < minutes * 60:
            wait = started + published / rate - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            publisher.publish(next(stream))
            published += 1
            publisher.flush(report)
            if time.perf_counter() >= next_sample:
                next_sample += sample_seconds
                now_ms = int(time.time() * 1000)
                latencies = sorted(ms / 1000 for ms in database.store_latencies_ms(window_start_ms))
                window_start_ms = now_ms
                worker_mib, nlp_mib = _rss(pid)
                stored = bench.stored()
                sample = {
                    "minute": round((time.perf_counter() - started) / 60, 1),
                    "published": published,
                    "stored": stored,
                    "lag": published - stored,
                    "p99_stored_s": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else 0,
                    "worker_rss_mib": round(worker_mib, 1),
                    "nlp_rss_mib": round(nlp_mib, 1),
                }
                samples.append(sample)
                print(json.dumps(sample), flush=True)
        publisher.close()
        bench.wait_stored(published, timeout=600)
        time.sleep(3)
        stored = bench.stored()
        all_latencies = sorted(ms / 1000 for ms in database.store_latencies_ms())
        distinct = len(database.stored_ids())
    return {
        "minutes": minutes,
        "story_horizon_hours": story_horizon_hours or 72.0,
        "rate": rate,
        "published": published,
        "stored": stored,
        "distinct_stored": distinct,
        "lost": published - distinct,
        "p99_stored_s": all_latencies[int(0.99 * (len(all_latencies) - 1))],
        "max_lag": max((s["lag"] for s in samples), default=0),
        "samples": samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument(
        "--rate", type=float, default=7.0, help="articles per second (default: about half of 1 worker's throughput)"
    )
    parser.add_argument("--sample-seconds", type=float, default=60.0)
    parser.add_argument(
        "--story-horizon-hours",
        type=float,
        default=None,
        help="NEWSSTREAM_STORY_HORIZON_HOURS: open stories are the worker's only state that grows with what it "
        "reads, up to this horizon (72 h by default); a short one shows the memory at its bound within the run",
    )
    parser.add_argument("--out", type=Path, default=None, help="also write the result here as JSON")
    args = parser.parse_args()
    result = run(args.minutes, args.rate, args.sample_seconds, args.story_horizon_hours)
    samples = result["samples"]
    assert isinstance(samples, list)
    first, last = (samples[0], samples[-1]) if samples else ({}, {})
    print(
        f"soak {result['minutes']} min at {result['rate']}/s: {result['published']} published, "
        f"{result['distinct_stored']} stored, {result['lost']} lost; "
        f"p99 produce->stored {result['p99_stored_s']:.2f} s; "
        f"max lag {result['max_lag']}; worker RSS {first.get('worker_rss_mib')} -> {last.get('worker_rss_mib')} MiB, "
        f"NLP process {first.get('nlp_rss_mib')} -> {last.get('nlp_rss_mib')} MiB"
    )
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
