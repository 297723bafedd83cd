"""Helpers for end-to-end tests: configs for real servers, complaintd processes, what was sent."""

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

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from daemon.config import Settings
from daemon.config import load as load_config
from daemon.service import Service
from daemon.store.db import Database
from daemon.store.models import Outbox, RawItem, Ticket
from tests.servers import DovecotServer, ReceivedMessage, SmtpSink

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
    sender: str,
    language: str = "en",
    *,
    subject: str | None = None,
    body: str | None = None,
    date: str = "Tue, 24 Nov 2026 09:00:00 +0800",
    **headers: str,
) -> EmailMessage:
    """A complaint from ``sender`` in ``language`` (or with this subject and body), with a fresh
    Message-ID."""
    default_subject, default_body = COMPLAINTS[language]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = DESK
    message["Subject"] = subject if subject is not None else default_subject
    message["Message-ID"] = make_msgid(domain="owner.example")
    message["Date"] = date
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body if body is not None else default_body)
    return message


def message_id(message: EmailMessage) -> str:
    return str(message["Message-ID"]).strip().strip("<>")


def plain_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None, f"no text/plain part in {message['Subject']!r}"
    return part.get_content()


def recipient(received: ReceivedMessage) -> str:
    return received.message["To"].addresses[0].addr_spec


def only_mail(received: list[ReceivedMessage], address: str, purpose: str) -> EmailMessage:
    """The one mail of this purpose to ``address`` among those received (fails on none or two)."""
    found = [
        r.message
        for r in received
        if r.rcpt_tos == [address] and r.message["X-Complaintd-Purpose"] == purpose
    ]
    assert len(found) == 1, [(r.rcpt_tos, r.message["X-Complaintd-Purpose"]) for r in received]
    return found[0]


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

    def __init__(
        self, argv: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None
    ) -> None:
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env={**clean_env(), **(env or {})},
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
def running(
    config: Path,
    *args: str,
    name: str = "run",
    prelude: str = "",
    env: dict[str, str] | None = None,
) -> Iterator[Process]:
    """``complaintd run`` (or ARGS) in the background for the block; SIGTERM at the end.
    ``env`` adds variables (COMPLAINTD_* ones too) to the test's environment."""
    process = Process(
        complaintd_argv(config, *(args or ("run",)), prelude=prelude),
        config.parent,
        config.parent / f"{name}.log",
        env,
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
