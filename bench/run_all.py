"""`make bench`: every benchmark once, printed and written as a markdown table to bench/results/."""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.enrich_vs_nlp import measure
from bench.pipeline_throughput import run


def main() -> None:
    raw = measure(370, 32, repeats=3)
    one = run(370, 1, 32)
    rows = [
        ("nlp.pipe alone", f"{raw['nlp_pipe_articles_per_s']:.1f} articles/s", "1.000"),
        (
            "enrichment (spaCy + coder)",
            f"{raw['enrich_articles_per_s']:.1f} articles/s",
            f"{raw['enrich_vs_nlp_ratio']:.3f}",
        ),
        ("coder alone, on parsed docs", f"{raw['coder_share_pct']:.1f} % of spaCy's time", "-"),
        (
            "pipeline, 1 worker, Kafka to SQLite",
            f"{one['articles_per_s']:.1f} articles/s",
            f"{one['articles_per_s'] / raw['nlp_pipe_articles_per_s']:.3f}",
        ),
    ]
    table = ["| measure | rate | ratio to nlp.pipe |", "| --- | --- | --- |"]
    table += [f"| {name} | {rate} | {ratio} |" for name, rate, ratio in rows]
    header = f"{time.strftime('%Y-%m-%d %H:%M')} on {platform.node()} ({platform.machine()}, {sys.version.split()[0]})"
    text = "\n".join([f"# newsstream benchmarks, {header}", "", *table, ""])
    print(text)
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.md").write_text(text)


if __name__ == "__main__":
    main()
