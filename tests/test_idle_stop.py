"""An idle ``complaintd run`` stops promptly on SIGTERM: its wait for new mail (a Maildir poll,
IMAP IDLE on a real Dovecot) ends at once instead of running out its 5 s."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from daemon.config import Settings
from tests.e2e import complaint, imap_section, running, tickets, wait_until, write_config
from tests.servers import DovecotServer

PROMPT_SECONDS = 2.0
"""Well above what stopping takes (helper process, dispatcher, checkpoints), well below the
5 s wait for news that an idle service used to finish first."""


def _idle_service_settings(
    source: str, make_settings: Callable[..., Settings], request: pytest.FixtureRequest
) -> tuple[Settings, Callable[[], bool]]:
    """Settings whose wait for news is the full 5 s, with one complaint dropped in; and a
    check that it was recorded and moved away (after which the service idles)."""
    if source == "imap":
        dovecot: DovecotServer = request.getfixturevalue("dovecot")
        settings = make_settings(imap=imap_section(dovecot, idle_seconds=5.0, poll_seconds=5.0))
        dovecot.append(complaint("Owner <owner@owner.example>").as_bytes())
        return settings, lambda: dovecot.count("Processed") == 1
    settings = make_settings(maildir={"poll_seconds": 1.0})
    new = Path(settings.maildir.path) / "new"
    new.mkdir(parents=True)
    (new / "1.complaint").write_bytes(complaint("Owner <owner@owner.example>").as_bytes())
    return settings, lambda: not any(new.iterdir())


@pytest.mark.parametrize("source", ["maildir", pytest.param("imap", marks=pytest.mark.imap)])
def test_an_idle_service_stops_promptly_on_sigterm(
    source: str,
    make_settings: Callable[..., Settings],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    settings, moved_away = _idle_service_settings(source, make_settings, request)
    config = write_config(tmp_path / "complaintd.toml", settings)
    with running(config) as service:
        wait_until(lambda: tickets(settings) and moved_away(), 30, "the complaint", service)
        started = time.monotonic()
        service.proc.send_signal(signal.SIGTERM)
        code = service.proc.wait(10)
        took = time.monotonic() - started
    assert code == 0, service.output()
    assert took < PROMPT_SECONDS, f"stopped after {took:.2f} s\n{service.output()}"
