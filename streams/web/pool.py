"""A few open storage connections for the web server's request threads, each used by one thread
at a time (neither adapter's connection may be shared between threads at once)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from streams.storage import Storage, open_storage


class StoragePool:
    """At most `size` connections, opened on first need and reopened when the server dropped one."""

    def __init__(self, url: str, size: int = 4, opener: Callable[[str], Storage] = open_storage) -> None:
        self.url = url
        self._opener = opener
        self._slots = threading.BoundedSemaphore(size)
        self._idle: queue.LifoQueue[Storage] = queue.LifoQueue()

    @contextmanager
    def storage(self) -> Iterator[Storage]:
        """One connection for the duration of a request; waits while `size` are in use."""
        with self._slots:
            storage = self._take_idle() or self._opener(self.url)
            try:
                yield storage
            finally:
                if storage.connection_lost():
                    with suppress(Exception):  # it is gone either way
                        storage.close()
                else:
                    self._idle.put(storage)

    def _take_idle(self) -> Storage | None:
        while True:
            try:
                storage = self._idle.get_nowait()
            except queue.Empty:
                return None
            if not storage.connection_lost():
                return storage
            with suppress(Exception):
                storage.close()

    def close(self) -> None:
        while True:
            try:
                storage = self._idle.get_nowait()
            except queue.Empty:
                return
            with suppress(Exception):
                storage.close()
