"""Group commit of delivery results: each delivery is recorded as it completes.

Every sender waits until its result is committed before it sends its next mail, and results
that come in while one write is under way share the next write. A crash therefore re-sends at
most the mails in flight (one per connection), as Postfix's queue manager does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    """Writes results in small groups on a thread, one write at a time, in arrival order."""

    def __init__(self, write: Callable[[list[T]], None]) -> None:
        self.write = write
        self.pending: list[T] = []
        self.written: asyncio.Future[None] | None = None  # resolved by the next write
        self.writer: asyncio.Task[None] | None = None

    async def record(self, result: T) -> None:
        """Return once ``result`` is committed; a failed write raises here, for every sender
        whose result it held."""
        loop = asyncio.get_running_loop()
        self.pending.append(result)
        if self.written is None:
            self.written = loop.create_future()
        written = self.written
        if self.writer is None or self.writer.done():
            self.writer = loop.create_task(self._write_pending())
        await written

    async def _write_pending(self) -> None:
        while self.pending:
            group, self.pending = self.pending, []
            written, self.written = self.written, None
            assert written is not None
            try:
                await asyncio.to_thread(self.write, group)
            except Exception as exc:  # noqa: BLE001 - handed to the senders that wait for it
                written.set_exception(exc)
            else:
                written.set_result(None)
