"""The in-process dispatcher sends at once, except while intake works through a backlog."""

from __future__ import annotations

import threading
import time

from daemon.mail.dispatch import DispatchThread


class CountingDispatcher:
    """Stands in for Dispatcher: ``due`` rows are waiting, each pass sends up to ``limit``."""

    def __init__(self, due: int, limit: int = 10) -> None:
        self.due, self.limit = due, limit
        self.passes: list[float] = []
        self.lock = threading.Lock()

    def send_due(self) -> int:
        with self.lock:
            self.passes.append(time.monotonic())
            sent = min(self.due, self.limit)
            self.due -= sent
            return sent


def wait_for(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_sends_everything_at_once_when_intake_is_idle():
    dispatcher = CountingDispatcher(due=35)
    thread = DispatchThread(dispatcher, interval=5.0, max_hold=5.0)
    thread.start()
    try:
        assert wait_for(lambda: dispatcher.due == 0, timeout=2.0)
    finally:
        thread.stop()


def test_holds_back_during_a_backlog_then_catches_up():
    dispatcher = CountingDispatcher(due=35)
    thread = DispatchThread(dispatcher, interval=5.0, max_hold=1.0)
    thread.intake_backlog(True)
    thread.last_pass = time.monotonic()  # as if a pass had just been made
    thread.start()
    try:
        thread.notify([1])
        time.sleep(0.5)
        assert dispatcher.due == 35  # intake first
        assert wait_for(lambda: dispatcher.due == 25, timeout=2.0)  # one pass once overdue
        time.sleep(0.3)
        assert dispatcher.due == 25
        thread.intake_backlog(False)
        assert wait_for(lambda: dispatcher.due == 0, timeout=2.0)
    finally:
        thread.stop()
