"""The Maildir drop folder: any MTA (or a person) delivers into new/; handled items go to cur/."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Collection
from pathlib import Path

from daemon.intake.base import Incoming, StopRequest

HEADER_BYTES = 256 * 1024


class MaildirSource:
    """Reads ``new/`` in name order; renames to ``cur/`` only after the item's commit."""

    name = "maildir"

    def __init__(self, root: Path, max_bytes: int, poll_seconds: float = 1.0, batch: int = 50):
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.poll_seconds = poll_seconds
        self.batch = batch
        for sub in ("new", "cur", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def _waiting(self) -> list[str]:
        return sorted(n for n in os.listdir(self.root / "new") if not n.startswith("."))

    def fetch(self, skip: Collection[object] = ()) -> list[Incoming]:
        items = []
        for name in [n for n in self._waiting() if n not in skip][: self.batch]:
            path = self.root / "new" / name
            try:
                size = path.stat().st_size
                with path.open("rb") as handle:
                    raw = handle.read(HEADER_BYTES if size > self.max_bytes else size)
            except FileNotFoundError:
                continue
            if size > self.max_bytes:
                raw = _headers_only(raw)
            items.append(Incoming(key=name.split(":", 1)[0], raw=raw, size=size, handle=name))
        return items

    def finish(self, done: list[tuple[Incoming, bool]]) -> None:
        for incoming, quarantined in done:
            name = incoming.handle
            flags = "F" if quarantined else "S"
            target = self.root / "cur" / f"{name.split(':', 1)[0]}:2,{flags}"
            with contextlib.suppress(FileNotFoundError):
                os.rename(self.root / "new" / name, target)

    def wait(self, seconds: float, stop: StopRequest) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self._waiting() or stop.wait(min(self.poll_seconds, left)):
                return

    def close(self) -> None:
        pass


def _headers_only(head: bytes) -> bytes:
    for separator in (b"\r\n\r\n", b"\n\n"):
        if separator in head:
            return head.split(separator, 1)[0] + separator
    return head
