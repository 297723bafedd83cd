"""``scripts/demo`` does what the README says: a sample complaint (Chinese, a leaking ceiling) goes
into ``var/demo/var/inbox/new/``, ``complaintd run --once`` files it, the ticket is listed and the
numbered acknowledgement written to ``var/demo/var/outbox/`` is printed.

The script runs from a copy of the checkout whose ``scripts/setup`` does nothing: the install
step would rebuild the venv every test here shares (it is what ``scripts/test`` itself runs)."""

from __future__ import annotations

import email
import re
import shutil
import subprocess
from email import policy
from pathlib import Path

import pytest

from tests.e2e import clean_env

REPO = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"C\d{8}-\d{4}")


def _checkout(root: Path) -> Path:
    """The files the demo uses, the shared venv, and a setup that leaves the venv alone."""
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(REPO / "scripts" / "demo", root / "scripts" / "demo")
    setup = root / "scripts" / "setup"
    setup.write_text("#!/bin/sh\nexit 0\n")
    setup.chmod(0o755)
    (root / "docs").mkdir()
    shutil.copy2(REPO / "docs" / "sample-complaint.eml", root / "docs")
    (root / ".venv").symlink_to(REPO / ".venv")
    return root


@pytest.mark.parametrize("demo_dir", [None, "elsewhere/demo/dir"])
def test_the_demo_files_the_sample_and_prints_its_numbered_acknowledgement(tmp_path, demo_dir):
    root = _checkout(tmp_path / "checkout")
    env = clean_env()
    if demo_dir is not None:
        env["DEMO_DIR"] = demo_dir
    done = subprocess.run(
        [str(root / "scripts" / "demo")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    demo = root / (demo_dir or "var/demo")
    assert list((demo / "var" / "inbox" / "new").iterdir()) == []
    assert len(list((demo / "var" / "inbox" / "cur").iterdir())) == 1
    [ack_file] = (demo / "var" / "outbox").glob("*.eml")
    ack = email.message_from_bytes(ack_file.read_bytes(), policy=policy.default)
    [number] = set(NUMBER.findall(str(ack["Subject"])))
    assert ack["To"].addresses[0].addr_spec == "wang.li@owner.example"

    out = done.stdout
    tickets, printed = out.split("== tickets ==", 1)[1].split("== acknowledgement written to", 1)
    assert number in tickets and "zh" in tickets
    where = f"{demo_dir or 'var/demo'}/var/outbox/{ack_file.name}"
    assert printed.startswith(f" {where} ==")
    text = ack.get_body(("plain",)).get_content()
    assert "统一编号" in text and number in text
    assert text.strip() in printed and f"Subject: {ack['Subject']}" in printed
