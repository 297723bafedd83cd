"""An idle ``complaintd worker`` stops within seconds of SIGTERM, every time: systemd gives it
``TimeoutStopSec=60`` and SIGKILLs it after that. Each try is a new worker on a real Redis."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from tests.e2e import Process, complaintd_argv, write_config

pytestmark = pytest.mark.redis

TRIES = 20
LIMIT_SECONDS = 5.0


def listening(worker: Process) -> bool:
    """rq says so once its signal handlers are in place; before that SIGTERM tests nothing."""
    return "Listening on" in worker.output()


def test_an_idle_worker_stops_within_seconds_of_sigterm_twenty_times_in_a_row(
    make_settings, redis_server, tmp_path
):
    settings = make_settings(queue={"redis_url": redis_server.url})
    config = write_config(tmp_path / "complaintd.toml", settings)
    stops = []
    for attempt in range(TRIES):
        worker = Process(complaintd_argv(config, "worker"), tmp_path, tmp_path / f"w{attempt}.log")
        try:
            deadline = time.monotonic() + 30
            while not listening(worker):
                assert worker.alive() and time.monotonic() < deadline, worker.output()
                time.sleep(0.05)
            begun = time.monotonic()
            worker.proc.send_signal(signal.SIGTERM)
            try:
                worker.proc.wait(LIMIT_SECONDS)
            except subprocess.TimeoutExpired:
                output = worker.output()
                pytest.fail(f"try {attempt + 1}: running {LIMIT_SECONDS} s after SIGTERM\n{output}")
            stops.append(time.monotonic() - begun)
            assert worker.proc.returncode == 0, worker.output()
        finally:
            worker.kill()
    assert len(stops) == TRIES and max(stops) < LIMIT_SECONDS
