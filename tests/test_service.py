"""``complaintd run`` as systemd and an admin see it: readiness and watchdog on $NOTIFY_SOCKET, the
parse helper beside it (only with a CPU to spare, and never outliving it), and SIGTERM, which
finishes the batch in hand and leaves the rest in the mailbox."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from daemon.config import Settings
from tests.e2e import (
    Process,
    complaint,
    complaintd_argv,
    imap_section,
    tickets,
    wait_until,
    write_config,
)
from tests.servers import DovecotServer


class Notifications:
    """A unix datagram socket standing in for systemd's $NOTIFY_SOCKET; keeps what it got."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.seen: list[str] = []

    def wait_for(self, message: str, count: int = 1, timeout: float = 20) -> None:
        """Wait until ``message`` (e.g. ``READY=1``) has come ``count`` times in all."""
        deadline = time.monotonic() + timeout
        while self.seen.count(message) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{message} x{count} not sent within {timeout}s: {self.seen}")
            self.sock.settimeout(remaining)
            try:
                self.seen += self.sock.recv(4096).decode().split("\n")
            except TimeoutError:
                continue

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def notify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Notifications]:
    """$NOTIFY_SOCKET for the complaintd processes this test starts."""
    notifications = Notifications(tmp_path / "notify.sock")
    monkeypatch.setenv("NOTIFY_SOCKET", str(notifications.path))
    try:
        yield notifications
    finally:
        notifications.close()


def children(pid: int) -> dict[int, str]:
    """The live child processes of ``pid`` and their command lines, from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found[int(entry.name)] = command
    return found


def ended(pid: int) -> bool:
    """True when the process is gone (or a zombie nobody has reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def helpers(service: Process) -> list[int]:
    return [pid for pid, cmd in children(service.pid).items() if "daemon.intake.readahead" in cmd]


@contextmanager
def started(config: Path, prelude: str = "") -> Iterator[Process]:
    """``complaintd run`` for the block, killed at its end (these tests need no clean stop)."""
    service = Process(
        complaintd_argv(config, "run", prelude=prelude), config.parent, config.parent / "run.log"
    )
    try:
        yield service
    except BaseException:
        print(f"--- run log ---\n{service.output()}")
        raise
    finally:
        service.kill()


def test_ready_then_watchdog_pings(make_settings, tmp_path, notify):
    """systemd (Type=notify, WatchdogSec=120) hears READY=1 once the service runs, then
    WATCHDOG=1 again and again while it idles."""
    config = write_config(tmp_path / "complaintd.toml", make_settings())
    with started(config) as service:
        notify.wait_for("READY=1")
        notify.wait_for("WATCHDOG=1", count=2, timeout=15)
        assert notify.seen.index("WATCHDOG=1") > notify.seen.index("READY=1")
        assert notify.seen.count("READY=1") == 1 and service.alive()


def _pinned(cpus: set[int]) -> str:
    return f"import os\nos.sched_setaffinity(0, {sorted(cpus)!r})"


@pytest.mark.parametrize("cpus", [1, 2])
def test_the_parse_helper_runs_by_default_only_with_a_cpu_to_spare(
    make_settings, tmp_path, notify, cpus
):
    """``[service] parse_helper`` unset: a service that may use one CPU parses by itself; one
    that may use two starts ``python -m daemon.intake.readahead`` beside it."""
    mine = sorted(os.sched_getaffinity(0))
    assert len(mine) >= cpus, f"this test needs a machine with {cpus} CPUs, it has {mine}"
    config = write_config(tmp_path / "complaintd.toml", make_settings())
    with started(config, prelude=_pinned(set(mine[:cpus]))) as service:
        notify.wait_for("READY=1")  # the helper, if any, is started before this
        assert len(helpers(service)) == (0 if cpus == 1 else 1), children(service.pid)


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGKILL"])
def test_the_parse_helper_ends_with_the_service(make_settings, tmp_path, notify, stop):
    settings = make_settings(service={"parse_helper": True})
    config = write_config(tmp_path / "complaintd.toml", settings)
    with started(config) as service:
        notify.wait_for("READY=1")
        [helper] = wait_until(lambda: helpers(service), 10, "the parse helper", service)
        if stop == "SIGTERM":
            assert service.terminate() == 0, service.output()
        else:
            service.kill()
        wait_until(lambda: ended(helper), 10, f"the parse helper to end after {stop}")


TERM_IN_BATCH = """
import os, signal
from daemon.pipeline import Pipeline

_record = Pipeline.receive_batch

def _term_then_record(self, *args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)  # as systemd would, while this batch is in hand
    return _record(self, *args, **kwargs)

Pipeline.receive_batch = _term_then_record
"""
"""Sends the service SIGTERM as it begins to record a batch (the recording itself is real)."""


@pytest.mark.imap
def test_sigterm_finishes_the_batch_in_hand_and_leaves_the_rest(
    dovecot: DovecotServer,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_settings(imap=imap_section(dovecot, batch_size=2))
    config = write_config(tmp_path / "complaintd.toml", settings)
    for i in range(6):
        dovecot.append(complaint(f"Owner {i} <owner{i}@owner.example>", "en").as_bytes())
    service = Process(
        complaintd_argv(config, "run", prelude=TERM_IN_BATCH), tmp_path, tmp_path / "run.log"
    )
    try:
        assert service.proc.wait(30) == 0, service.output()
    finally:
        service.kill()
    assert "finishing the item in hand, then stopping" in service.output()
    assert len(tickets(settings)) == 2, service.output()
    assert dovecot.count("Processed") == 2
    assert dovecot.count("INBOX") == 4


@pytest.mark.redis
def test_the_sweep_hands_redis_again_what_it_lost(make_settings, redis_server, tmp_path):
    """Redis loses the queued mail; the sweep (every 30 s) gives it the rows unsent for 30 s
    again, not younger ones (a worker may have them in hand) nor sent ones."""
    from redis import Redis
    from rq import Queue

    from daemon.clock import set_clock, utcnow
    from daemon.mail.dispatch import Dispatcher
    from daemon.service import SWEEP_SECONDS, Service
    from tests.mails import complaint as raw_complaint

    queue_name = "complaintd-mail-sweep"
    settings = make_settings(queue={"redis_url": redis_server.url, "queue_name": queue_name})
    queue = Queue(queue_name, connection=Redis.from_url(redis_server.url))
    service = Service(settings)
    service.db.migrate()
    try:
        result = service.start_sending().receive(
            "test", "1", raw_complaint("The lift of block 3 is broken again, please send someone.")
        )
        [row_id] = result.outbox_ids
        assert [job.args for job in queue.get_jobs()] == [([row_id],)]
        Redis.from_url(redis_server.url).flushall()  # Redis restarted without its data

        assert service.requeue_unsent() == [] and queue.count == 0  # too young to be lost
        later = utcnow() + timedelta(seconds=SWEEP_SECONDS + 1)
        set_clock(lambda: later)
        assert service.requeue_unsent() == [row_id]
        assert [job.args for job in queue.get_jobs()] == [([row_id],)]
        Dispatcher(settings, service.db).send([row_id])  # a worker sends it
        assert service.requeue_unsent() == []
    finally:
        set_clock(None)
        service.db.dispose()
