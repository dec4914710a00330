"""End-to-end throughput on the real broker: N articles published to a fresh topic set, W workers
enriching and storing them (SQLite), timed from the first publish to the last row stored; compared
with `nlp.pipe` alone on the same texts in this process. Needs the local broker (`make kafka`)."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import ROOT, seed_corpus
from streams.config import Settings, load_settings
from streams.ingest.producer import ArticlePublisher, publish_all
from streams.storage import open_storage


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class BenchCluster:
    """Workers of one fresh app id, topics and SQLite database, for one measurement."""

    env: dict[str, str]
    config: Settings
    scratch: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def stored(self) -> int:
        try:
            return open_storage(self.config.database_url).counts()["articles"]
        except Exception:
            return 0  # the tables appear with the first batch

    def wait_stored(self, count: int, timeout: float = 1800) -> None:
        deadline = time.monotonic() + timeout
        while self.stored() < count:
            if any(p.poll() is not None for p in self.processes):
                raise SystemExit(f"a worker died; logs in {self.scratch}")
            if time.monotonic() > deadline:
                raise SystemExit(f"only {self.stored()} of {count} stored; logs in {self.scratch}")
            time.sleep(0.2)

    def rss_mib(self) -> list[float]:
        """Resident memory of each worker, its NLP process included, MiB."""
        return [sum(_rss_mib(pid) for pid in [process.pid, *_children(process.pid)]) for process in self.processes]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def cluster(
    workers: int,
    batch: int = 32,
    warmup: float = 15.0,
    nlp_executor: str = "process",
    batch_seconds: float | None = None,
    settings: dict[str, str] | None = None,
) -> Iterator[BenchCluster]:
    run_id = uuid.uuid4().hex[:8]
    scratch = Path(tempfile.mkdtemp(prefix="newsstream-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSSTREAM_")}
    env.update(
        NEWSSTREAM_APP_ID=f"bench-{run_id}",
        NEWSSTREAM_TOPIC_ARTICLES=f"bench-{run_id}.articles",
        NEWSSTREAM_TOPIC_ENRICHED=f"bench-{run_id}.enriched",
        NEWSSTREAM_TOPIC_ALERTS=f"bench-{run_id}.alerts",
        NEWSSTREAM_TOPIC_DEADLETTER=f"bench-{run_id}.deadletter",
        NEWSSTREAM_TOPIC_OTHER_LANGUAGES=f"bench-{run_id}.other",
        NEWSSTREAM_DATABASE_URL=f"sqlite:///{scratch}/bench.db",
        NEWSSTREAM_BATCH_SIZE=str(batch),
        NEWSSTREAM_NLP_EXECUTOR=nlp_executor,
        **({"NEWSSTREAM_BATCH_SECONDS": str(batch_seconds)} if batch_seconds else {}),
        NEWSSTREAM_LOG_LEVEL="warning",
    )
    env.update({f"NEWSSTREAM_{name.upper()}": value for name, value in (settings or {}).items()})
    names = {k.removeprefix("NEWSSTREAM_").lower(): v for k, v in env.items() if k.startswith("NEWSSTREAM_")}
    bench = BenchCluster(env=env, config=load_settings(**names), scratch=scratch)
    for index in range(workers):
        worker_env = dict(env, NEWSSTREAM_WEB_PORT=str(_free_port()), NEWSSTREAM_DATA_DIR=str(scratch / f"w{index}"))
        bench.env[f"WEB_PORT_{index}"] = worker_env["NEWSSTREAM_WEB_PORT"]
        log = (scratch / f"worker{index}.log").open("w")
        bench.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "streams", "worker"],
                cwd=ROOT,
                env=worker_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        time.sleep(warmup)  # join the group and load spaCy before the clock starts
        yield bench
    finally:
        for process in bench.processes:
            process.terminate()
        for process in bench.processes:
            process.wait(timeout=30)


def run(size: int, workers: int, batch: int, nlp_executor: str = "process") -> dict[str, float]:
    articles = seed_corpus(size)
    with cluster(workers, batch, warmup=15.0 + 5.0 * workers, nlp_executor=nlp_executor) as bench:
        publisher = ArticlePublisher(bench.config)
        started = time.perf_counter()
        publish_all(articles, publisher)
        publisher.close()
        bench.wait_stored(size)
        elapsed = time.perf_counter() - started
        memory = bench.rss_mib()
    return {
        "articles": size,
        "workers": workers,
        "seconds": elapsed,
        "articles_per_s": size / elapsed,
        "rss_mib_max": max(memory) if memory else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=370)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--nlp-executor", choices=["process", "thread"], default="process")
    args = parser.parse_args()
    from bench.enrich_vs_nlp import measure

    raw = measure(args.articles, args.batch, repeats=1)
    result = run(args.articles, args.workers, args.batch, args.nlp_executor)
    print(f"nlp.pipe alone (this process): {raw['nlp_pipe_articles_per_s']:8.1f} articles/s")
    print(
        f"pipeline, {args.workers} worker(s), NLP in a {args.nlp_executor}, to storage: "
        f"{result['articles_per_s']:8.1f} articles/s "
        f"({result['articles']} in {result['seconds']:.1f} s; worker RSS up to {result['rss_mib_max']:.0f} MiB)"
    )
    print(f"ratio pipeline / nlp.pipe:     {result['articles_per_s'] / raw['nlp_pipe_articles_per_s']:8.3f}")


if __name__ == "__main__":
    main()
