"""What the command line writes is always readable: ``--json`` is valid UTF-8 JSON in any locale,
the log carries no control characters from mail, and ``tickets list`` says how many it shows."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from daemon.admin import print_json
from daemon.cli import EscapingFormatter
from tests.mails import complaint

C_LOCALE = {"LANG": "C"}
"""PYTHONIOENCODING and LC_* unset: Python's UTF-8 mode for the C locale."""
ASCII_LOCALE = {"LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
"""The same without UTF-8 mode: stdout is ASCII."""


def _complaintd(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "TMPDIR", "PYTHONPATH")}
    done = subprocess.run(
        [sys.executable, "-m", "daemon.cli", *args],
        cwd=cwd,
        env={**keep, **env},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done


def _json(done: subprocess.CompletedProcess[bytes]) -> object:
    return json.loads(done.stdout.decode("utf-8"))  # strict: invalid UTF-8 raises


AUTO_REPLY = (
    b"From: Li <li@owners.example>\r\n"
    b"To: complaints@desk.example\r\n"
    b"Subject: =?utf-8?b?6Ieq5Yqo5Zue5aSN?=\r\n"
    b"Auto-Submitted: auto-replied\r\n"
    b"Message-ID: <\xe8\x87\xaa\xc4\x00\x19@owners.example>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    + "我正在休假，12月10日回来。".encode()
    + b"\r\n"
)
"""An auto-reply whose Message-ID holds UTF-8, a stray 8-bit byte, a NUL and 0x19."""


@pytest.mark.parametrize("env", [C_LOCALE, ASCII_LOCALE], ids=["LANG=C", "ascii"])
def test_ingest_json_is_valid_utf8_in_any_locale(tmp_path, env):
    (tmp_path / "auto.eml").write_bytes(AUTO_REPLY)
    mail = complaint("电梯坏了三天了。", subject="电梯", message_id="<lift.1@owners.example>")
    mail = mail.replace(b"<lift.1@", "<电梯.1@".encode())  # RFC 6532: UTF-8 in the header
    (tmp_path / "lift.eml").write_bytes(mail)

    auto = _json(_complaintd(tmp_path, env, "ingest", "auto.eml", "--json"))
    lift = _json(_complaintd(tmp_path, env, "ingest", "lift.eml", "--json"))

    assert auto["outcome"] == "ignored_autoreply"
    assert auto["message_id"] == "自\\xc4\\x00\\x19@owners.example"
    assert lift["outcome"] == "ticket_created" and lift["message_id"] == "电梯.1@owners.example"
    listed = _json(_complaintd(tmp_path, env, "tickets", "list", "--json"))
    assert [t["subject"] for t in listed] == ["电梯"]
    shown = _json(_complaintd(tmp_path, env, "tickets", "show", lift["ticket"], "--json"))
    assert shown["body"] == "电梯坏了三天了。"
    (tmp_path / "broken.eml").write_bytes("电梯".encode())
    broken = _json(_complaintd(tmp_path, env, "ingest", "broken.eml", "--json"))
    assert broken["outcome"] == "quarantined"
    held = _json(_complaintd(tmp_path, env, "quarantine", "list", "--json"))
    assert [item["id"] for item in held] == [broken["raw_item"]]


def test_print_json_escapes_bytes_that_were_not_text(capsys):
    print_json({"id": "m2\udcc4x@owners.example", "name": "王"})
    out = capsys.readouterr().out
    out.encode("utf-8")  # no lone surrogate left to write
    assert json.loads(out) == {"id": "m2\udcc4x@owners.example", "name": "王"}


def test_control_characters_are_escaped_in_the_log(tmp_path):
    (tmp_path / "auto.eml").write_bytes(AUTO_REPLY)
    done = _complaintd(tmp_path, C_LOCALE, "ingest", "auto.eml")
    log = done.stderr
    assert b"ignored_autoreply" in log
    assert not {byte for byte in log if byte < 0x20} - {ord("\n")}, log
    formatter = EscapingFormatter("%(message)s")
    record = logging.LogRecord("t", logging.INFO, "", 0, "item %s", ("a\x00b\x19\nforged",), None)
    assert formatter.format(record) == "item a\\x00b\\x19\\x0aforged"


def test_tickets_list_shows_the_newest_50_unless_told(tmp_path):
    inbox = tmp_path / "var" / "inbox" / "new"
    inbox.mkdir(parents=True)
    for i in range(53):
        mail = complaint(f"The heating in flat {i} is broken.", sender=f"o{i}@owners.example")
        (inbox / f"{i}.eml").write_bytes(mail)
    _complaintd(tmp_path, C_LOCALE, "run", "--once")

    default = _json(_complaintd(tmp_path, C_LOCALE, "tickets", "list", "--json"))
    every = _json(_complaintd(tmp_path, C_LOCALE, "tickets", "list", "--limit", "100", "--json"))

    assert len(default) == 50 and len(every) == 53
    assert [t["number"] for t in default] == [t["number"] for t in every][:50]
    assert default[0]["number"] > default[-1]["number"]  # newest first
