"""End to end over IMAP: real Dovecot in, real SMTP (aiosmtpd) out, the real CLI in between.

Each test APPENDs mail to the fixture's Dovecot and then checks what a user would check: the
ticket and its number, the acknowledgement the owner received (language, subject, headers), and
that nothing was left behind or lost in the mailbox. The helpers at the top are shared with
tests/test_rq_e2e.py and tests/test_crash.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from daemon.config import Settings
from daemon.config import load as load_config
from daemon.db import Database
from daemon.models import Outbox, RawItem, Ticket
from daemon.service import Service
from tests.servers import DovecotServer, ReceivedMessage, SmtpSink, require_binary

T = TypeVar("T", Ticket, RawItem, Outbox)
DESK = "complaints@desk.example"
NUMBER = re.compile(r"^C(\d{8})-(\d{4})$")

COMPLAINTS = {
    "zh": ("楼上漏水", "您好，我家楼上漏水已经三天了，天花板都湿了，请尽快派人处理。谢谢！"),
    "es": (
        "Fuga de agua en el techo",
        "Hola, el agua sale por el techo de mi piso desde hace dos días. "
        "Por favor, envíen a alguien. Gracias.",
    ),
    "en": (
        "Heating broken",
        "Dear desk, the heating in my flat has not worked since Monday. "
        "Please send someone to look at it. Thank you.",
    ),
}
"""A subject and body per language, each unambiguous for the language detector."""

ACK_MARKER = {"zh": "统一编号", "es": "número", "en": "number"}
"""A word every acknowledgement in that language contains next to the ticket number."""


# --- building mail ------------------------------------------------------------------------


def complaint(
    sender: str, language: str = "en", *, subject: str | None = None, **headers: str
) -> EmailMessage:
    """A complaint from ``sender`` in ``language``, with a fresh Message-ID."""
    default_subject, body = COMPLAINTS[language]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = DESK
    message["Subject"] = subject if subject is not None else default_subject
    message["Message-ID"] = make_msgid(domain="owner.example")
    message["Date"] = "Tue, 24 Nov 2026 09:00:00 +0800"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def message_id(message: EmailMessage) -> str:
    return str(message["Message-ID"]).strip().strip("<>")


def plain_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None, f"no text/plain part in {message['Subject']!r}"
    return part.get_content()


def recipient(received: ReceivedMessage) -> str:
    return received.message["To"].addresses[0].addr_spec


# --- settings and config files -------------------------------------------------------------


def imap_section(server: DovecotServer, security: str = "none", **extra: Any) -> dict[str, Any]:
    section: dict[str, Any] = {
        "host": server.host,
        "port": server.port,
        "security": security,
        "user": server.user,
        "password": server.password,
        "idle_seconds": 0.5,
        "poll_seconds": 0.5,
    }
    if security != "none":
        section["ca_file"] = str(server.ca_file)
    if security == "starttls":
        section["port"] = server.starttls_port
    section.update(extra)
    return section


def smtp_section(sink: SmtpSink, **extra: Any) -> dict[str, Any]:
    return {"host": sink.host, "port": sink.port, "security": "none", **extra}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None)
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"cannot write {value!r} to TOML")


def write_config(path: Path, settings: Settings) -> Path:
    """Write ``settings`` as the TOML file the CLI reads (what differs from the defaults)."""
    data = settings.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    for name in ("imap", "smtp"):
        section = getattr(settings, name)
        if section is not None and section.password is not None:
            data.setdefault(name, {})["password"] = section.password.get_secret_value()
    lines = []
    for key, value in data.items():
        if not isinstance(value, dict):
            lines.insert(0, f"{key} = {_toml_value(value)}")
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"\n[{key}]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in value.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load_config(path, environ={}) == settings, path.read_text()
    return path


def cli(config: Path, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run ``complaintd --config CONFIG ARGS`` as an admin would, and require success."""
    result = subprocess.run(
        [sys.executable, "-m", "daemon.cli", "--config", str(config), *args],
        cwd=config.parent,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"complaintd {' '.join(args)} failed:\n{result.stderr}"
    return result


def clean_env() -> dict[str, str]:
    """The test's environment without COMPLAINTD_* variables that would override the file."""
    return {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTD_")}


# --- the service as a process ---------------------------------------------------------------


class Process:
    """A ``complaintd`` subprocess whose output goes to a log file shown on failure."""

    def __init__(self, argv: list[str], cwd: Path, log: Path) -> None:
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env=clean_env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def terminate(self, timeout: float = 15) -> int:
        """SIGTERM (finish the item in hand, then stop); SIGKILL if it does not stop in time."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
                raise AssertionError(
                    f"pid {self.pid} ignored SIGTERM for {timeout}s\n{self.output()}"
                ) from None
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def complaintd_argv(config: Path, *args: str, prelude: str = "") -> list[str]:
    """argv for ``complaintd --config CONFIG ARGS``; ``prelude`` is Python run before main()."""
    if not prelude:
        return [sys.executable, "-m", "daemon.cli", "--config", str(config), *args]
    code = f"{prelude}\nimport sys\nfrom daemon.cli import main\nsys.exit(main(sys.argv[1:]))"
    return [sys.executable, "-c", code, "--config", str(config), *args]


@contextmanager
def running(config: Path, *args: str, name: str = "run", prelude: str = "") -> Iterator[Process]:
    """``complaintd run`` (or ARGS) in the background for the block; SIGTERM at the end."""
    process = Process(
        complaintd_argv(config, *(args or ("run",)), prelude=prelude),
        config.parent,
        config.parent / f"{name}.log",
    )
    try:
        yield process
    except BaseException:
        process.kill()
        print(f"--- {name} log ---\n{process.output()}")
        raise
    code = process.terminate()
    assert code == 0, f"{name} exited with {code}\n{process.output()}"


# --- waiting and looking -------------------------------------------------------------------


def wait_until(
    condition: Callable[[], Any],
    timeout: float,
    what: str,
    process: Process | None = None,
    interval: float = 0.05,
) -> Any:
    """Poll ``condition`` until it is truthy; fail naming ``what`` (and the service's log)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if process is not None and not process.alive():
            raise AssertionError(f"the service died while waiting for {what}\n{process.output()}")
        if time.monotonic() >= deadline:
            log = f"\n{process.output()}" if process is not None else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {what}{log}")
        time.sleep(interval)


def sqlite_count(settings: Settings, query: str) -> int:
    """A read-only count from the service's SQLite database while it runs (0 before migrate)."""
    path = settings.database.url.removeprefix("sqlite:///")
    if not Path(path).exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute(query).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _all(settings: Settings, model: type[T]) -> list[T]:
    """Every row of ``model``, oldest first; empty while the service has not migrated yet."""
    db = Database(settings.database.url)
    try:
        with db.transaction() as session:
            return list(session.scalars(select(model).order_by(model.id)))
    except (OperationalError, ProgrammingError) as exc:
        if "tickets" in str(exc) or "raw_items" in str(exc) or "outbox" in str(exc):
            return []
        raise
    finally:
        db.dispose()


def tickets(settings: Settings) -> list[Ticket]:
    return _all(settings, Ticket)


def raw_items(settings: Settings) -> list[RawItem]:
    return _all(settings, RawItem)


def outbox_rows(settings: Settings) -> list[Outbox]:
    return _all(settings, Outbox)


def local_date(settings: Settings) -> str:
    return datetime.now(ZoneInfo(settings.desk.time_zone)).strftime("%Y%m%d")


def run_once(settings: Settings) -> None:
    """``Service.run(once=True)`` in this process, restoring the signal handlers it installs."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        Service(settings).run(once=True)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def assert_acknowledged(
    ticket: Ticket, received: list[ReceivedMessage], owner_message_id: str
) -> EmailMessage:
    """The owner got exactly one acknowledgement for ``ticket``, correct in every visible way."""
    acks = [r for r in received if r.message["X-Complaintd-Ticket"] == ticket.number]
    assert len(acks) == 1, f"{ticket.number}: {len(acks)} acknowledgements"
    [ack] = acks
    message = ack.message
    assert ack.rcpt_tos == [ticket.owner_email]
    assert recipient(ack) == ticket.owner_email
    assert ack.mail_from == DESK
    assert ticket.number in str(message["Subject"])
    assert ticket.number in plain_text(message)
    assert ACK_MARKER[ticket.language] in plain_text(message)
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["In-Reply-To"] == f"<{owner_message_id}>"
    return message


# --- the tests -----------------------------------------------------------------------------

pytestmark = pytest.mark.imap


def test_complaints_in_three_languages_become_tickets_and_are_acknowledged(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_settings(imap=imap_section(dovecot), smtp=smtp_section(smtp_sink))
    sent = {
        "wang@owner.example": complaint("王先生 <wang@owner.example>", "zh"),
        "ana@owner.example": complaint("Ana García <ana@owner.example>", "es"),
        "john@owner.example": complaint("John Smith <john@owner.example>", "en"),
    }
    for message in sent.values():
        dovecot.append(message.as_bytes())

    run_once(settings)

    found = tickets(settings)
    assert sorted(t.owner_email for t in found) == sorted(sent)
    today = local_date(settings)
    numbers = [t.number for t in found]
    assert all(NUMBER.match(n) and NUMBER.match(n).group(1) == today for n in numbers), numbers
    assert sorted(int(n[-4:]) for n in numbers) == [1, 2, 3]
    languages = {t.owner_email: t.language for t in found}
    assert languages == {"wang@owner.example": "zh", "ana@owner.example": "es"} | {
        "john@owner.example": "en"
    }

    received = smtp_sink.wait_for(3)
    assert len(received) == 3
    for ticket in found:
        assert_acknowledged(ticket, received, message_id(sent[ticket.owner_email]))
    ack_ids = [message_id(r.message) for r in received]
    assert len(set(ack_ids)) == 3
    rows = outbox_rows(settings)
    assert {r.message_id for r in rows} == set(ack_ids)
    assert {(r.purpose, r.status, r.attempts) for r in rows} == {("ack", "sent", 1)}

    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Processed") == 3
    assert {"Processed", "Quarantine"} <= set(dovecot.folders())
    processed_ids = set()
    for raw in dovecot.fetch_all("Processed"):
        match = re.search(rb"^Message-ID:\s*<([^>]+)>", raw, re.MULTILINE | re.IGNORECASE)
        processed_ids.add(match.group(1).decode())
    assert processed_ids == {message_id(m) for m in sent.values()}

    # What an admin sees from the command line.
    config = write_config(tmp_path / "complaintd.toml", settings)
    listed = json.loads(cli(config, "tickets", "list", "--json").stdout)
    assert sorted(t["number"] for t in listed) == sorted(numbers)
    shown = json.loads(cli(config, "tickets", "show", numbers[0], "--json").stdout)
    assert shown["owner_email"] == found[0].owner_email
    assert shown["body"].startswith("您好")


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_intake_over_tls_with_a_private_ca(
    security: str,
    dovecot_tls: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(imap=imap_section(dovecot_tls, security), smtp=smtp_section(smtp_sink))
    sent = complaint("Ana <ana@owner.example>", "es")
    dovecot_tls.append(sent.as_bytes())

    run_once(settings)

    [ticket] = tickets(settings)
    assert ticket.language == "es"
    assert_acknowledged(ticket, smtp_sink.wait_for(1), message_id(sent))
    assert dovecot_tls.count("INBOX") == 0
    assert dovecot_tls.count("Processed") == 1


def outage(server: DovecotServer) -> None:
    """Take Dovecot down, sessions included.

    ``DovecotServer.stop()`` alone stops the master, but an already logged-in imap process
    outlives it and keeps serving its client, so the daemon would never see an outage.
    """
    subprocess.run(
        [require_binary("doveadm", "dovecot-core"), "-c", str(server.conf_path)]
        + ["kick", server.user],
        capture_output=True,
        timeout=10,
        check=True,
    )
    server.stop()


def test_intake_resumes_by_itself_after_the_mail_server_was_down(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_settings(imap=imap_section(dovecot), smtp=smtp_section(smtp_sink))
    config = write_config(tmp_path / "complaintd.toml", settings)
    before = complaint("John <john@owner.example>", "en")
    after = complaint("王先生 <wang@owner.example>", "zh")
    count_tickets = "SELECT count(*) FROM tickets"

    with running(config) as service:
        dovecot.append(before.as_bytes())
        wait_until(lambda: sqlite_count(settings, count_tickets) == 1, 15, "ticket 1", service)
        smtp_sink.wait_for(1)

        outage(dovecot)
        wait_until(lambda: "retrying in" in service.output(), 10, "the service to notice", service)
        time.sleep(1.0)  # down a while: at least one reconnect attempt fails
        dovecot.start()
        dovecot.append(after.as_bytes())

        wait_until(lambda: sqlite_count(settings, count_tickets) == 2, 30, "ticket 2", service)
        received = smtp_sink.wait_for(2, timeout=15)
        wait_until(lambda: dovecot.count("INBOX") == 0, 10, "an empty INBOX", service)

    first, second = tickets(settings)
    assert (first.language, second.language) == ("en", "zh")
    assert_acknowledged(first, received, message_id(before))
    assert_acknowledged(second, received, message_id(after))
    assert dovecot.count("Processed") == 2


def test_mail_over_the_size_limit_is_quarantined_and_the_owner_told_the_limit(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    limit = 20_000
    settings = make_settings(
        imap=imap_section(dovecot),
        smtp=smtp_section(smtp_sink),
        storage={"max_message_bytes": limit},
    )
    big = complaint("John Smith <john@owner.example>", "en", subject="Photos of the damp wall")
    big.add_attachment(os.urandom(50_000), maintype="image", subtype="jpeg", filename="wall.jpg")
    small = complaint("Ana <ana@owner.example>", "es")
    dovecot.append(big.as_bytes())
    dovecot.append(small.as_bytes())

    run_once(settings)

    # The big one is recorded, held, and visible to admins; the one behind it is processed.
    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Quarantine") == 1
    assert dovecot.count("Processed") == 1
    [held_raw] = dovecot.fetch_all("Quarantine")
    assert message_id(big).encode() in held_raw
    [ticket] = tickets(settings)
    assert ticket.owner_email == "ana@owner.example"

    config = write_config(tmp_path / "complaintd.toml", settings)
    held = json.loads(cli(config, "quarantine", "list", "--json").stdout)
    assert len(held) == 1
    assert held[0]["size"] > limit
    assert "limit" in held[0]["error"]
    assert "1 item(s) in quarantine" in cli(config, "quarantine", "list").stdout

    received = smtp_sink.wait_for(2)
    notices = [r for r in received if recipient(r) == "john@owner.example"]
    assert len(notices) == 1, [r.message["Subject"] for r in received]
    notice = notices[0].message
    assert notice["Auto-Submitted"] == "auto-replied"
    assert notice["In-Reply-To"] == f"<{message_id(big)}>"
    assert notice["X-Complaintd-Ticket"] is None  # nothing was registered
    text = plain_text(notice)
    assert "Photos of the damp wall" in text
    assert_states_limit(text, limit)
    [row] = [r for r in outbox_rows(settings) if r.purpose == "oversize_notice"]
    assert (row.recipient, row.status) == ("john@owner.example", "sent")


def assert_states_limit(text: str, limit: int) -> None:
    """The notice names the limit as a size a person can act on (within 10 %, any unit)."""
    units = {"b": 1, "bytes": 1, "kb": 1024, "k": 1024, "mb": 1_048_576, "m": 1_048_576}
    stated = [
        float(number.replace(",", "")) * units[unit.lower()]
        for number, unit in re.findall(r"(\d[\d,]*(?:\.\d+)?)\s*(bytes|kb|mb|b|k|m)\b", text, re.I)
    ]
    assert any(0.9 * limit <= size <= 1.1 * limit for size in stated), (
        f"the notice does not state the {limit}-byte limit; sizes stated: {stated}\n{text}"
    )


def test_a_bad_message_never_blocks_the_ones_behind_it(
    dovecot: DovecotServer,
    smtp_sink: SmtpSink,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
) -> None:
    settings = make_settings(imap=imap_section(dovecot), smtp=smtp_section(smtp_sink))
    garbage = b"\xff\xfe\x80\x81 this is not an e-mail \xc3\x28 at all\r\n\r\n\x9c\x9d\r\n"
    no_from = complaint("x@owner.example", "en", subject="Nobody wrote this")
    del no_from["From"]
    good = [
        complaint("王先生 <wang@owner.example>", "zh"),
        complaint("Ana <ana@owner.example>", "es"),
    ]
    dovecot.append(garbage)
    dovecot.append(no_from.as_bytes())
    for message in good:
        dovecot.append(message.as_bytes())

    run_once(settings)

    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Quarantine") == 2
    assert dovecot.count("Processed") == 2
    found = tickets(settings)
    assert sorted(t.owner_email for t in found) == ["ana@owner.example", "wang@owner.example"]
    received = smtp_sink.wait_for(2)
    for ticket, message in zip(found, good, strict=True):
        assert_acknowledged(ticket, received, message_id(message))
    assert len(received) == 2

    config = write_config(tmp_path / "complaintd.toml", settings)
    held = json.loads(cli(config, "quarantine", "list", "--json").stdout)
    assert len(held) == 2
    errors = " | ".join(entry["error"] for entry in held)
    assert "no headers" in errors and "sender" in errors, errors
    outcomes = [(r.status, r.outcome) for r in raw_items(settings)]
    assert outcomes.count(("quarantined", "quarantined")) == 2
    assert outcomes.count(("done", "ticket_created")) == 2


def test_automatic_mail_gets_no_acknowledgement_but_is_processed(
    dovecot: DovecotServer, smtp_sink: SmtpSink, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(imap=imap_section(dovecot), smtp=smtp_section(smtp_sink))
    robot = complaint(
        "John <john@owner.example>",
        "en",
        subject="Automatic reply: Heating broken",
        Auto_Submitted="auto-replied",
    )
    person = complaint("Ana <ana@owner.example>", "es")
    dovecot.append(robot.as_bytes())
    dovecot.append(person.as_bytes())

    run_once(settings)

    [ticket] = tickets(settings)
    assert ticket.owner_email == "ana@owner.example"
    received = smtp_sink.wait_for(1)
    assert_acknowledged(ticket, received, message_id(person))
    time.sleep(0.2)  # anything else would have been sent by now: run(once) sends before returning
    assert [recipient(r) for r in smtp_sink.messages] == ["ana@owner.example"]
    assert [(r.status, r.outcome) for r in raw_items(settings)] == [
        ("done", "ignored_autoreply"),
        ("done", "ticket_created"),
    ]
    assert dovecot.count("INBOX") == 0
    assert dovecot.count("Processed") == 2
    assert dovecot.count("Quarantine") == 0
