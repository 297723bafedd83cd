"""The command-line contract, as an admin runs it: the installed ``complaintd``, a fresh folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.mails import complaint

COMPLAINTD = shutil.which("complaintd", path=str(Path(sys.executable).parent)) or "complaintd"


def cli(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTD_")}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [COMPLAINTD, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_embedded_default_run_once_makes_ticket_and_ack_file(tmp_path):
    """No config at all: ./var/inbox in, ./var/outbox out, templates found in the install."""
    inbox = tmp_path / "var" / "inbox" / "new"
    inbox.mkdir(parents=True)
    body = "Hay una fuga de agua en el garaje, plaza 23. Por favor, envíen a alguien."
    (inbox / "1.eml").write_bytes(complaint(body, subject="Fuga en el garaje", charset="latin-1"))
    cli(tmp_path, "run", "--once")
    assert (tmp_path / "var" / "inbox" / "cur").iterdir().__next__().name.startswith("1.eml:2,S")
    sent = list((tmp_path / "var" / "outbox").glob("*.eml"))
    assert len(sent) == 1
    text = sent[0].read_bytes()
    listing = json.loads(cli(tmp_path, "tickets", "list", "--json").stdout)
    assert len(listing) == 1 and listing[0]["language"] == "es"
    assert listing[0]["number"].encode() in text


def test_ingest_json_and_tickets_show(tmp_path):
    mail = tmp_path / "m.eml"
    mail.write_bytes(complaint("电梯坏了三天了，老人上下楼很困难。", subject="3号楼电梯故障"))
    out = json.loads(cli(tmp_path, "ingest", str(mail), "--json").stdout)
    assert out["outcome"] == "ticket_created"
    assert out["language"] == "zh" and out["department"] == "property"
    assert out["category"] == "property_service" and out["location"] == {"building": "3"}
    assert out["ack_message_id"] and "answer" in out["deadlines"]
    again = json.loads(cli(tmp_path, "ingest", str(mail), "--json").stdout)
    assert again["outcome"] == "duplicate"
    shown = json.loads(cli(tmp_path, "tickets", "show", out["ticket"], "--json").stdout)
    assert shown["subject"] == "3号楼电梯故障"
    kinds = [e["kind"] for e in shown["events"]]
    assert kinds == ["received", "classified", "routed", "acknowledged", "unassigned"]
    assert cli(tmp_path, "tickets", "show", "C19990101-0001", check=False).returncode == 1


def test_quarantine_list_and_retry(tmp_path):
    bad = tmp_path / "bad.eml"
    bad.write_bytes(b"")
    out = json.loads(cli(tmp_path, "ingest", str(bad), "--json").stdout)
    assert out["outcome"] == "quarantined" and "empty" in out["error"]
    listing = json.loads(cli(tmp_path, "quarantine", "list", "--json").stdout)
    assert [item["id"] for item in listing] == [out["raw_item"]]
    retried = cli(tmp_path, "quarantine", "retry", check=False)
    assert retried.returncode == 1 and "quarantined" in retried.stdout


def test_admin_templates_override_bundled_ones(tmp_path):
    override = tmp_path / "tpl" / "en" / "owner"
    override.mkdir(parents=True)
    (override / "ack.txt.j2").write_text("Custom ack for {{ ticket.number }}\n")
    config = tmp_path / "c.toml"
    config.write_text(f"[desk]\ntemplates_dir = '{tmp_path / 'tpl'}'\n")
    mail = tmp_path / "m.eml"
    mail.write_bytes(complaint("The door of the garage does not close."))
    out = json.loads(cli(tmp_path, "--config", str(config), "ingest", str(mail), "--json").stdout)
    sent = next((tmp_path / "var" / "outbox").glob("*.eml")).read_bytes()
    import email
    from email import policy

    ack = email.message_from_bytes(sent, policy=policy.default)
    assert ack.get_body(("plain",)).get_content().strip() == f"Custom ack for {out['ticket']}"
    assert out["ticket"] in ack["Subject"]
