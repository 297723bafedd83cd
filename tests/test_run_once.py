"""``complaintd run --once``: handle what is waiting, send the mail, exit — all of the mail."""

from __future__ import annotations

import email
import json
from pathlib import Path

from tests.mails import complaint
from tests.test_cli import cli

WAITING = 450
"""More mail than two dispatcher passes of 200 take: the end of ``--once`` must send the rest."""


def test_run_once_leaves_no_mail_unsent(tmp_path: Path) -> None:
    inbox = tmp_path / "var" / "inbox" / "new"
    inbox.mkdir(parents=True)
    for i in range(WAITING):
        body = f"The heating in flat {i} has not worked since Monday. Please send someone."
        raw = complaint(body, subject="Heating broken", sender=f"owner{i}@owner.example")
        (inbox / f"{i}.eml").write_bytes(raw)

    cli(tmp_path, "run", "--once")

    listing = json.loads(cli(tmp_path, "tickets", "list", "--limit", "1000", "--json").stdout)
    assert len(listing) == WAITING
    sent = list((tmp_path / "var" / "outbox").glob("*.eml"))
    assert len(sent) == WAITING, f"{WAITING - len(sent)} acknowledgements left unsent"
    numbers = {email.message_from_bytes(p.read_bytes())["X-Complaintd-Ticket"] for p in sent}
    assert numbers == {ticket["number"] for ticket in listing}
