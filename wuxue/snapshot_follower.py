"""Follow the published snapshot: a serving process switches to each snapshot a writer publishes.

Every ``wuxue serve`` process polls the ``CURRENT`` pointer of the index directory (shared by all
machines of a deployment through ``WUXUE_SNAPSHOT_DIR``). When it names a snapshot other than the
one being served, the knowledge base loads it and swaps atomically (``KnowledgeBase.load``):
requests already running keep the snapshot they took, and the replaced one is closed when the last
of them finishes (``SnapshotRetirer``). A snapshot that cannot be loaded (half-deleted, made with another
model) leaves the current one in service and is tried again on the next poll; ``/readyz`` says so.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wuxue.errors import WuxueError
from wuxue.knowledge_base import KnowledgeBase

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FollowStatus:
    """What ``/readyz`` reports: the snapshot served, the one published, and why they differ if a load failed."""

    serving: str | None
    published: str | None
    error: str | None
    swaps: int
    checked_at: float | None


class SnapshotFollower:
    """A daemon thread that checks the pointer every ``interval`` seconds; :meth:`check` is one such check."""

    def __init__(self, kb: KnowledgeBase, interval: float, *, on_swap: Callable[[Path], None] | None = None) -> None:
        self.kb = kb
        self.interval = interval
        self.on_swap = on_swap  # told of each newly served snapshot (e.g. re-check the example questions)
        self._error: str | None = None
        self._failed_on: Path | None = None
        self._swaps = 0
        self._checked_at: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="wuxue-snapshot-follower", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - the follower must outlive any one bad check
                log.exception("snapshot check failed")

    def serving(self) -> Path | None:
        """The snapshot requests are answered from now (None before the first one is loaded)."""
        snapshot = self.kb.loaded_snapshot
        return snapshot.path if snapshot is not None else None

    def check(self) -> bool:
        """Switch to the published snapshot if it is not the one served; True when a switch happened."""
        self._checked_at = time.time()
        published = self.kb.data_dir.current()
        if published is None:  # nothing published yet
            return False
        if published == self.serving():
            self._error, self._failed_on = None, None
            return False
        try:
            self.kb.load()  # loads whatever CURRENT names now and swaps under the knowledge base's lock
        except Exception as error:  # noqa: BLE001 - pruned while loading, built with another model, a corrupt file: keep serving
            message = error.message if isinstance(error, WuxueError) else f"{type(error).__name__}: {error}"
            if self._failed_on != published:  # log once per snapshot, not once per poll
                serving = self.serving()
                log.warning("snapshot %s not loaded, still serving %s: %s", published.name, serving.name if serving else "none", message)
            self._error, self._failed_on = message, published
            return False
        self._error, self._failed_on = None, None
        served = self.serving()
        if served is None:
            return False
        self._swaps += 1
        log.info("now serving snapshot %s", served.name)
        if self.on_swap is not None:
            self.on_swap(served)
        return True

    def status(self) -> FollowStatus:
        serving, published = self.serving(), self.kb.data_dir.current()
        return FollowStatus(serving=serving.name if serving else None, published=published.name if published else None,
                            error=self._error, swaps=self._swaps, checked_at=self._checked_at)
