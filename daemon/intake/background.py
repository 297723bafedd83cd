"""A source whose round trips run on a thread of their own, while the pipeline records a batch.

Fetching the next batch and moving the last one away mostly wait on the mail server (about a
tenth of the time per message over IMAP); on their own thread, one at a time and in the order
asked for, that wait overlaps the pipeline's work instead of adding to it. Nothing changes
about safety: a batch is still finished only after its transaction committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from daemon.intake.base import Incoming, Source, StopRequest

log = logging.getLogger(__name__)


class BackgroundSource:
    """Wraps a source; only its thread ever touches the source (IMAP clients are not
    thread-safe). A failure of a round trip is raised by the next ``fetch`` or ``wait`` that
    comes after it."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.name = source.name
        self._thread = ThreadPoolExecutor(1, thread_name_prefix=f"intake-{source.name}")
        self._queued: list[Future[Any]] = []
        self._ahead: Future[list[Incoming]] | None = None

    def prefetch(self, skip: Collection[object]) -> None:
        """Start fetching the batch after the ones in ``skip`` (in hand or being read)."""
        self._ahead = self._submit(self.source.fetch, set(skip))

    def fetch(self, skip: Collection[object] = ()) -> list[Incoming]:
        """The batch prefetched, if one was asked for; otherwise the next one, now."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            ahead = self._submit(self.source.fetch, skip)
        self._settle(until=ahead)
        return ahead.result()

    def finish(self, done: list[tuple[Incoming, bool]]) -> None:
        """Move the committed batch away in the background (before any later fetch)."""
        if done:
            self._submit(self.source.finish, done)

    def wait(self, seconds: float, stop: StopRequest) -> None:
        """Wait for news on the source's thread; ``stop`` ends it early."""
        self._submit(self.source.wait, seconds, stop)
        self._settle()

    def close(self) -> None:
        """Finish what was asked (a committed batch is still moved), then close the source."""
        self._submit(self.source.close)
        try:
            self._settle()
        except Exception as exc:  # noqa: BLE001 - stopping anyway; what is left is fetched again
            log.warning("%s: %s", self.name, exc)
        finally:
            self._thread.shutdown()

    def _submit(self, call: Callable[..., Any], *args: Any) -> Future[Any]:
        future = self._thread.submit(call, *args)
        self._queued.append(future)
        return future

    def _settle(self, until: Future[Any] | None = None) -> None:
        """Wait for what was asked before and up to ``until`` (everything by default); raise
        the first failure (a prefetched batch is then dropped: what was not finished stays in
        the source and is fetched again)."""
        while self._queued:
            future = self._queued.pop(0)
            error = future.exception()
            if error is not None:
                self._ahead = None
                raise error
            if future is until:
                return
