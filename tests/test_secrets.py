"""Secrets are never logged or printed: a real ``complaintd run`` at DEBUG, with the IMAP and SMTP
passwords and the reply and webhook secrets given in the environment, logging in to Dovecot and
to an SMTP server (STARTTLS, AUTH) — and failing to, with wrong passwords."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest

from daemon import config as config_module
from tests.conftest import SMTP_LOGIN
from tests.e2e import (
    Process,
    clean_env,
    complaint,
    complaintd_argv,
    outbox_rows,
)
from tests.servers import DovecotServer, SmtpSink

pytestmark = pytest.mark.imap

USER, SMTP_PASSWORD = SMTP_LOGIN
REPLY_SECRET = "reply-Secret-0b7e"
WEBHOOK_SECRET = "hook-Secret-93fa"
WRONG_SMTP = "wrong-Smtp-Secret-4c11"
WRONG_IMAP = "wrong-Imap-Secret-8d20"


def _forms(secret: str, user: str) -> list[str]:
    """The secret as such and as SMTP AUTH PLAIN / LOGIN carry it (base64)."""
    plain = base64.b64encode(f"\0{user}\0{secret}".encode()).decode()
    return [secret, base64.b64encode(secret.encode()).decode(), plain]


def _config(path: Path, dovecot: DovecotServer, sink: SmtpSink) -> Path:
    """No secret in the file: the passwords and secrets come from the environment."""
    tmp = path.parent
    path.write_text(
        f"""log_level = "DEBUG"
[desk]
address = "complaints@desk.example"
[database]
url = "sqlite:///{tmp}/complaintd.db"
[storage]
attachments_dir = "{tmp}/attachments"
[outbox]
dir = "{tmp}/outbox"
retry_base_seconds = 3600
[imap]
host = "{dovecot.host}"
port = {dovecot.port}
security = "none"
user = "{dovecot.user}"
idle_seconds = 0.5
poll_seconds = 0.5
[smtp]
host = "{sink.host}"
port = {sink.port}
security = "starttls"
ca_file = "{sink.ca_file}"
user = "{USER}"
[webhook]
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def smtp_login_sink() -> SmtpSink:
    sink = SmtpSink(security="starttls", credentials=SMTP_LOGIN)
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


def test_no_secret_in_the_log_of_a_real_run(dovecot, smtp_login_sink, tmp_path):
    config = _config(tmp_path / "complaintd.toml", dovecot, smtp_login_sink)
    env = {
        "COMPLAINTD_IMAP__PASSWORD": dovecot.password,
        "COMPLAINTD_SMTP__PASSWORD": SMTP_PASSWORD,
        "COMPLAINTD_REPLIES__SECRET": REPLY_SECRET,
        "COMPLAINTD_WEBHOOK__SECRET": WEBHOOK_SECRET,
    }
    settings = config_module.load(config, environ=env)
    outputs: dict[str, str] = {}

    dovecot.append(complaint("Li <li@owner.example>", "zh").as_bytes())
    good = Process(complaintd_argv(config, "run", "--once"), tmp_path, tmp_path / "run.log", env)
    assert good.proc.wait(60) == 0, good.output()
    outputs["run"] = good.output()
    [ack] = smtp_login_sink.messages
    assert ack.login == USER and ack.tls, ack
    assert dovecot.count("Processed") == 1

    dovecot.append(complaint("Ana <ana@owner.example>", "es").as_bytes())
    wrong_smtp = Process(
        complaintd_argv(config, "run", "--once"),
        tmp_path,
        tmp_path / "wrong-smtp.log",
        env | {"COMPLAINTD_SMTP__PASSWORD": WRONG_SMTP},
    )
    assert wrong_smtp.proc.wait(60) == 0, wrong_smtp.output()
    outputs["wrong SMTP password"] = wrong_smtp.output()
    assert "535" in outputs["wrong SMTP password"]  # the refusal is logged, the password not
    assert len(smtp_login_sink.messages) == 1
    assert sorted(row.status for row in outbox_rows(settings)) != ["sent", "sent"]

    wrong_imap = Process(
        complaintd_argv(config, "run", "--once"),
        tmp_path,
        tmp_path / "wrong-imap.log",
        env | {"COMPLAINTD_IMAP__PASSWORD": WRONG_IMAP},
    )
    assert wrong_imap.proc.wait(60) == 1, wrong_imap.output()
    outputs["wrong IMAP password"] = wrong_imap.output()
    assert "ERROR" in outputs["wrong IMAP password"]

    checked = subprocess.run(
        complaintd_argv(config, "check-config"),
        cwd=tmp_path,
        env=clean_env() | env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    outputs["check-config"] = checked.stdout + checked.stderr
    assert "configuration OK" in checked.stdout

    secrets = {
        "IMAP password": _forms(dovecot.password, dovecot.user),
        "SMTP password": _forms(SMTP_PASSWORD, USER),
        "wrong SMTP password": _forms(WRONG_SMTP, USER),
        "wrong IMAP password": _forms(WRONG_IMAP, dovecot.user),
        "reply secret": [REPLY_SECRET],
        "webhook secret": [WEBHOOK_SECRET],
    }
    leaks = [
        (what, where)
        for what, forms in secrets.items()
        for where, text in outputs.items()
        if any(form in text for form in forms)
    ]
    assert leaks == []
