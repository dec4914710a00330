"""`make bench`: every benchmark once, printed and written as a markdown table to bench/results/.
Needs the local broker (`make kafka`); takes several minutes on 2 cores."""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import avro_cost, pipeline_latency
from bench.enrich_vs_nlp import measure
from bench.pipeline_throughput import run


def main() -> None:
    raw = measure(370, 32, repeats=3)
    one = run(370, 1, 32)
    two = run(370, 2, 32)
    one_thread = run(370, 1, 32, nlp_executor="thread")
    two_thread = run(370, 2, 32, nlp_executor="thread")
    half_load = one["articles_per_s"] / 2
    latency = pipeline_latency.run(half_load, 60.0)
    avro = avro_cost.measure()
    nlp = raw["nlp_pipe_articles_per_s"]
    rows = [
        ("nlp.pipe alone", f"{nlp:.1f} articles/s", "1.000 of nlp.pipe", "-"),
        (
            "enrichment (spaCy + coder)",
            f"{raw['enrich_articles_per_s']:.1f} articles/s",
            f"{raw['enrich_vs_nlp_ratio']:.3f} of nlp.pipe",
            "≥ 0.85",
        ),
        ("coder alone, on parsed docs", f"{raw['coder_share_pct']:.1f} % of spaCy's time", "-", "≤ 15 %"),
        (
            "pipeline, 1 worker, Kafka to SQLite (spaCy in a child process, the default)",
            f"{one['articles_per_s']:.1f} articles/s",
            f"{one['articles_per_s'] / nlp:.3f} of nlp.pipe",
            "≥ 0.90",
        ),
        (
            "pipeline, 2 workers (each with its NLP process)",
            f"{two['articles_per_s']:.1f} articles/s",
            f"{two['articles_per_s'] / one['articles_per_s']:.2f} × 1 worker",
            "≥ 1.8",
        ),
        (
            "pipeline, 1 worker, spaCy in a thread (NEWSSTREAM_NLP_EXECUTOR=thread)",
            f"{one_thread['articles_per_s']:.1f} articles/s",
            f"{one_thread['articles_per_s'] / nlp:.3f} of nlp.pipe",
            "≥ 0.90",
        ),
        (
            "pipeline, 2 workers, spaCy in a thread",
            f"{two_thread['articles_per_s']:.1f} articles/s",
            f"{two_thread['articles_per_s'] / one_thread['articles_per_s']:.2f} × 1 worker",
            "≥ 1.8",
        ),
        (
            f"produce→stored at {half_load:.1f} articles/s (half of 1 worker's max)",
            f"p50 {latency['stored_p50_s']:.2f} s, p99 {latency['stored_p99_s']:.2f} s",
            "-",
            "p99 ≤ 1 s",
        ),
        (
            "produce→alert, same run",
            f"p50 {latency['alert_p50_s']:.2f} s, p99 {latency['alert_p99_s']:.2f} s",
            "-",
            "p99 ≤ 1 s",
        ),
        (
            "Avro, enriched article",
            f"encode {avro['encode_ms']:.2f} ms, decode {avro['decode_ms']:.2f} ms",
            f"{avro['bytes']:.0f} bytes",
            "-",
        ),
        (
            "memory per worker (RSS after the run, NLP process included)",
            f"{one['rss_mib_max']:.0f} MiB (1 worker), {two['rss_mib_max']:.0f} MiB (largest of 2); "
            f"{one_thread['rss_mib_max']:.0f} MiB with spaCy in a thread",
            "-",
            "-",
        ),
    ]
    table = ["| measure | figure | ratio | goal |", "| --- | --- | --- | --- |"]
    table += [f"| {name} | {figure} | {ratio} | {goal} |" for name, figure, ratio, goal in rows]
    machine = f"{platform.node()}: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    text = "\n".join([f"# newsstream benchmarks, {time.strftime('%Y-%m-%d %H:%M')} on {machine}", "", *table, ""])
    print(text)
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.md").write_text(text)


if __name__ == "__main__":
    main()
