"""The source's round trips on their own thread: order kept, failures surface, nothing lost."""

from __future__ import annotations

import threading

import pytest

from daemon.intake.background import BackgroundSource
from daemon.intake.base import SourceUnavailable
from daemon.intake.maildir import MaildirSource


def _drop(root, count):
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (root / "new" / f"{n:04d}.eml").write_bytes(f"Subject: {n}\r\n\r\nbody {n}\r\n".encode())


class Recording(MaildirSource):
    """A real Maildir source that notes which thread did what, and can be told to fail."""

    def __init__(self, root):
        super().__init__(root, 1 << 20, batch=2)
        self.calls: list[tuple[str, str]] = []
        self.fail_finish = False
        self.finish_started = threading.Event()
        self.release_finish = threading.Event()
        self.release_finish.set()

    def fetch(self, skip=()):
        self.calls.append(("fetch", threading.current_thread().name))
        return super().fetch(skip)

    def finish(self, done):
        self.finish_started.set()
        self.release_finish.wait(10)
        self.calls.append(("finish", threading.current_thread().name))
        if self.fail_finish:
            raise SourceUnavailable("server went away")
        super().finish(done)


def _moved(root):
    return sorted(p.name.split(":")[0] for p in (root / "cur").iterdir())


def _names(batch):
    return [incoming.handle for incoming in batch]


def test_batches_come_in_order_and_finish_only_what_was_committed(tmp_path):
    _drop(tmp_path, 5)
    source = Recording(tmp_path)
    background = BackgroundSource(source)
    first = background.fetch()
    second = background.fetch(_names(first))
    background.prefetch(_names(first) + _names(second))
    background.finish([(incoming, False) for incoming in first])
    third = background.fetch(_names(second))
    assert _names(first) == ["0000.eml", "0001.eml"]
    assert _names(second) == ["0002.eml", "0003.eml"]
    assert _names(third) == ["0004.eml"]
    background.finish([(incoming, False) for incoming in second + third])
    background.close()
    assert _moved(tmp_path) == [f"{n:04d}.eml" for n in range(5)]
    assert not list((tmp_path / "new").iterdir())
    assert {thread for _call, thread in source.calls} != {threading.current_thread().name}


def test_the_next_fetch_does_not_wait_for_an_earlier_move(tmp_path):
    _drop(tmp_path, 4)
    source = Recording(tmp_path)
    background = BackgroundSource(source)
    first = background.fetch()
    background.prefetch(_names(first))
    source.release_finish.clear()
    background.finish([(incoming, False) for incoming in first])
    second = background.fetch(_names(first))  # the prefetched batch, while the move waits
    assert _names(second) == ["0002.eml", "0003.eml"]
    assert source.finish_started.wait(10)
    assert (tmp_path / "new" / "0000.eml").exists()
    source.release_finish.set()
    background.close()
    assert _moved(tmp_path) == ["0000.eml", "0001.eml"]


def test_a_failed_move_is_raised_by_the_next_fetch_and_the_batch_comes_again(tmp_path):
    _drop(tmp_path, 2)
    source = Recording(tmp_path)
    background = BackgroundSource(source)
    first = background.fetch()
    source.fail_finish = True
    background.finish([(incoming, False) for incoming in first])
    with pytest.raises(SourceUnavailable, match="server went away"):
        background.fetch()
    source.fail_finish = False
    again = background.fetch()
    assert _names(again) == _names(first)
    background.close()
