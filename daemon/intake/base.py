"""What every intake source offers the service loop."""

from __future__ import annotations

import contextlib
import os
import select
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol


class SourceUnavailable(Exception):
    """The source cannot be reached now; the service backs off and tries again."""


@dataclass
class Incoming:
    """One item as a source found it; ``size`` exceeds ``len(raw)`` when the body was kept back."""

    key: str
    raw: bytes
    size: int
    handle: object = None


class StopRequest:
    """A stop asked for by a signal handler, seen at once by a wait on any thread.

    A flag and a pipe that becomes readable when it is set (the self-pipe trick): setting it
    takes no lock, so a signal handler may do it at any moment, and a wait can watch the pipe
    beside a socket (IMAP IDLE). The pipe is never drained: once set, every wait returns."""

    def __init__(self) -> None:
        self._set = False
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)

    def set(self) -> None:
        self._set = True
        if self._write >= 0:
            with contextlib.suppress(BlockingIOError):
                os.write(self._write, b"!")

    def is_set(self) -> bool:
        return self._set

    def wait(self, seconds: float, *readable: object) -> bool:
        """Sleep up to ``seconds``, less when the stop is asked for or one of ``readable``
        (objects with a ``fileno``) has data; True when the stop was asked for."""
        if not self._set and self._read >= 0:
            poller = select.poll()
            for source in (self._read, *readable):
                poller.register(source, select.POLLIN)
            poller.poll(max(seconds, 0) * 1000)
        return self._set

    def close(self) -> None:
        """Free the pipe (the flag stays; later waits return at once)."""
        read, write, self._read, self._write = self._read, self._write, -1, -1
        for fd in (read, write):
            if fd >= 0:
                os.close(fd)


class Source(Protocol):
    name: str

    def fetch(self, skip: Collection[object] = ()) -> list[Incoming]:
        """The next batch of waiting items (empty when there are none), leaving out the
        handles in ``skip``: a batch fetched earlier and not finished yet."""

    def finish(self, done: list[tuple[Incoming, bool]]) -> None:
        """Mark items handled after their transaction committed (bool: quarantined)."""

    def wait(self, seconds: float, stop: StopRequest) -> None:
        """Block until new items may be there, at most ``seconds``; at once when ``stop`` is
        set (an idle service then stops without waiting the rest)."""

    def close(self) -> None: ...
