"""The rules that fired are kept in the ticket's history and shown by ``complaintd tickets show``
(as text and with ``--json``), as an admin reads them."""

from __future__ import annotations

import json

from daemon.pipeline import Pipeline
from daemon.store.db import Database
from tests.e2e import cli, write_config
from tests.mails import complaint


def _fired(reasons: list[str]) -> set[str]:
    """``category.repair:漏水^2`` -> ``category.repair:漏水``."""
    return {reason.rpartition("^")[0] for reason in reasons if "^" in reason}


def test_tickets_show_names_the_rules_that_fired(tmp_path, make_settings):
    settings = make_settings()
    config = write_config(tmp_path / "complaintd.toml", settings)
    body = "3栋2单元1502卫生间天花板漏水，请派师傅维修。"
    db = Database(settings.database.url)
    try:
        db.migrate()
        raw = complaint(body, subject="卫生间漏水", sender="wang@owner.example")
        number = Pipeline(settings, db).receive("test", "leak", raw).ticket
    finally:
        db.dispose()

    shown = json.loads(cli(config, "tickets", "show", number, "--json").stdout)
    [classified] = [e for e in shown["events"] if e["kind"] == "classified"]
    reasons = classified["data"]["reasons"]
    fired = {"category.repair:漏水", "category.repair:维修", "kind.repair_request:派师傅"}
    assert fired <= _fired(reasons), reasons
    assert (classified["data"]["category"], classified["data"]["kind"]) == (
        "repair",
        "repair_request",
    )

    text = cli(config, "tickets", "show", number).stdout
    [line] = [line for line in text.splitlines() if "reasons:" in line]
    for reason in ("category.repair:漏水^", "kind.repair_request:派师傅^"):
        assert reason in line, text
