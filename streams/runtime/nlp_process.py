"""The enrich stage in a process of its own, beside the Faust worker.

spaCy holds the GIL for most of a parse. In a thread of the worker it competes with the event
loop, the Kafka client and the other agents for one interpreter, so a long batch delays heartbeats,
commits and the other stages; in a child process it parses on a core of its own. On the 2-core VM
the pipeline ran at 14.8 articles/s this way against 13.3 in a thread (medians of three runs;
the broker and the benchmark share the same cores). The child imports no Faust or Kafka code: it
gets raw records and returns what the agent sends on (bytes, dead letters) plus each article's
event types for the metrics. Started with `spawn`, not `fork`: the worker has threads (aiokafka's) by then.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass

from streams.config import Settings
from streams.stages.decode import RawMessage, StageResult
from streams.stages.enrich import EnrichStage
from streams.wire.codec import Codecs

_stage: EnrichStage | None = None


@dataclass(frozen=True, slots=True)
class EnrichOutcome:
    """What the agent needs back from one batch."""

    result: StageResult
    #: per enriched article, the PLOVER types of its events (for newsstream_events_coded_total)
    event_types: list[list[str]]


def build_stage(config: Settings) -> EnrichStage:
    from streams.enrich.pipeline import Enricher

    return EnrichStage(
        Enricher(),
        Codecs.for_settings(config),
        max_body_chars=config.max_body_chars,
        other_languages=config.other_languages,
        batch_size=config.batch_size,
    )


def _load(config: Settings, parent_pid: int) -> None:
    """Process initializer: load spaCy and the place tables once, before the first batch."""
    global _stage
    # Ctrl-C or a service manager's SIGTERM reaches the whole process group: the worker stops
    # gracefully and shuts this pool down; a child dying first would fail the batch in flight
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), name="parent-watch", daemon=True).start()
    _stage = build_stage(config)  # the Enricher loads spaCy as it is made


def _exit_with_parent(parent_pid: int) -> None:
    # a worker killed with SIGKILL cannot stop its pool: the child would live on, holding a model's
    # worth of memory, and a supervisor's restarts would pile them up
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(0)


def _ready() -> bool:
    return _stage is not None


def enrich(messages: list[RawMessage]) -> EnrichOutcome:
    """Run in the child: the enrich stage on one batch."""
    if _stage is None:
        raise RuntimeError("the NLP process was not initialised")
    return _outcome(_stage, messages)


def _outcome(stage: EnrichStage, messages: list[RawMessage]) -> EnrichOutcome:
    result, enriched = stage.process(messages)
    return EnrichOutcome(result, [[event.type for event in article.events] for article in enriched])


class NlpRunner:
    """Where the enrich stage runs: a child process (default) or a thread of the worker
    (NEWSSTREAM_NLP_EXECUTOR=thread: one process, less memory, slower)."""

    def __init__(self, config: Settings) -> None:
        self.kind = config.nlp_executor
        self._thread_stage: EnrichStage | None = None
        self._executor: Executor
        if self.kind == "process":
            self._executor = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_load,
                initargs=(config, os.getpid()),
            )
            self._loaded = self._executor.submit(_ready)  # starts the child, which loads spaCy now
        else:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlp")
            self._loaded = self._executor.submit(self._load_in_thread, config)

    def _load_in_thread(self, config: Settings) -> bool:
        self._thread_stage = build_stage(config)
        return True

    def _enrich_in_thread(self, messages: list[RawMessage]) -> EnrichOutcome:
        if self._thread_stage is None:  # the loading task runs first on this one-thread executor
            raise RuntimeError("the NLP thread was not initialised")
        return _outcome(self._thread_stage, messages)

    async def enrich(self, messages: list[RawMessage]) -> EnrichOutcome:
        """The enrich stage on one batch, off the event loop."""
        work = enrich if self.kind == "process" else self._enrich_in_thread
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, messages)

    def wait_loaded(self, timeout: float | None = None) -> None:
        """Block until spaCy is loaded (raising what loading raised)."""
        self._loaded.result(timeout=timeout)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
