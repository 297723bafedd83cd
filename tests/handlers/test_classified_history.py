"""The rules that fired are kept in the ticket's history and shown by ``complaintd tickets show``
(as text and with ``--json``), as an admin reads them."""

from __future__ import annotations

import json

from tests.mails import complaint
from tests.test_cli import cli


def _fired(reasons: list[str]) -> set[str]:
    """``category.repair:漏水^2`` -> ``category.repair:漏水``."""
    return {reason.rpartition("^")[0] for reason in reasons if "^" in reason}


def test_tickets_show_names_the_rules_that_fired(tmp_path):
    mail = tmp_path / "leak.eml"
    body = "3栋2单元1502卫生间天花板漏水，请派师傅维修。"
    mail.write_bytes(complaint(body, subject="卫生间漏水", sender="wang@owner.example"))
    number = json.loads(cli(tmp_path, "ingest", str(mail), "--json").stdout)["ticket"]

    shown = json.loads(cli(tmp_path, "tickets", "show", number, "--json").stdout)
    [classified] = [e for e in shown["events"] if e["kind"] == "classified"]
    reasons = classified["data"]["reasons"]
    assert {"category.repair:漏水", "category.repair:维修", "kind.repair_request:派师傅"} <= _fired(
        reasons
    ), reasons
    assert (classified["data"]["category"], classified["data"]["kind"]) == (
        "repair",
        "repair_request",
    )

    text = cli(tmp_path, "tickets", "show", number).stdout
    [line] = [line for line in text.splitlines() if "reasons:" in line]
    for reason in ("category.repair:漏水^", "kind.repair_request:派师傅^"):
        assert reason in line, text
