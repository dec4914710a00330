"""End-to-end throughput on the real broker: N articles published to a fresh topic set, one worker
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
from pathlib import Path

from bench.corpus import ROOT, seed_corpus
from streams.config import load_settings
from streams.ingest.producer import ArticlePublisher, publish_all
from streams.storage import open_storage


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(size: int, workers: int, batch: int) -> dict[str, float]:
    run_id = uuid.uuid4().hex[:8]
    scratch = Path(tempfile.mkdtemp(prefix="newsstream-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSSTREAM_")}
    env.update(
        NEWSSTREAM_APP_ID=f"bench-{run_id}",
        NEWSSTREAM_TOPIC_ARTICLES=f"bench-{run_id}.articles",
        NEWSSTREAM_TOPIC_ENRICHED=f"bench-{run_id}.enriched",
        NEWSSTREAM_TOPIC_ALERTS=f"bench-{run_id}.alerts",
        NEWSSTREAM_TOPIC_DEADLETTER=f"bench-{run_id}.deadletter",
        NEWSSTREAM_DATABASE_URL=f"sqlite:///{scratch}/bench.db",
        NEWSSTREAM_BATCH_SIZE=str(batch),
        NEWSSTREAM_LOG_LEVEL="warning",
    )
    names = {k.removeprefix("NEWSSTREAM_").lower(): v for k, v in env.items() if k.startswith("NEWSSTREAM_")}
    config = load_settings(**names)
    articles = seed_corpus(size)
    publisher = ArticlePublisher(config)
    processes = []
    for index in range(workers):
        worker_env = dict(env, NEWSSTREAM_WEB_PORT=str(_free_port()), NEWSSTREAM_DATA_DIR=str(scratch / f"w{index}"))
        log = (scratch / f"worker{index}.log").open("w")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "streams", "worker"],
                cwd=ROOT,
                env=worker_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        time.sleep(15)  # join the group and load spaCy before the clock starts
        started = time.perf_counter()
        publish_all(articles, publisher)
        publisher.close()
        storage = open_storage(config.database_url)
        while True:
            try:
                stored = storage.query("SELECT COUNT(*) FROM articles")[0][0]
            except Exception:
                stored = 0
            if stored >= size:
                break
            if any(p.poll() is not None for p in processes):
                raise SystemExit(f"a worker died; logs in {scratch}")
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    return {"articles": size, "workers": workers, "seconds": elapsed, "articles_per_s": size / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=370)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    from bench.enrich_vs_nlp import measure

    raw = measure(args.articles, args.batch, repeats=1)
    result = run(args.articles, args.workers, args.batch)
    print(f"nlp.pipe alone (this process): {raw['nlp_pipe_articles_per_s']:8.1f} articles/s")
    print(
        f"pipeline, {args.workers} worker(s), to storage:  {result['articles_per_s']:8.1f} articles/s "
        f"({result['articles']} in {result['seconds']:.1f} s)"
    )
    print(f"ratio pipeline / nlp.pipe:     {result['articles_per_s'] / raw['nlp_pipe_articles_per_s']:8.3f}")


if __name__ == "__main__":
    main()
