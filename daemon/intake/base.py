"""What every intake source offers the service loop."""

from __future__ import annotations

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


class Source(Protocol):
    name: str

    def fetch(self, skip: Collection[object] = ()) -> list[Incoming]:
        """The next batch of waiting items (empty when there are none), leaving out the
        handles in ``skip``: a batch fetched earlier and not finished yet."""

    def finish(self, done: list[tuple[Incoming, bool]]) -> None:
        """Mark items handled after their transaction committed (bool: quarantined)."""

    def wait(self, seconds: float) -> None:
        """Block until new items may be there, at most ``seconds``."""

    def close(self) -> None: ...
