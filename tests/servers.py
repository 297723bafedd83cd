"""Real servers for tests: Dovecot, Redis, PostgreSQL and an aiosmtpd sink.

The daemon talks IMAP, SMTP, Redis and PostgreSQL in production, so tests run it against the
real thing on loopback ports instead of mocks. Every server here is started by the test process
and stopped by its own process handle (or ``pg_ctl``), so nothing outlives the session.
"""

from __future__ import annotations

import email
import email.policy
import glob
import imaplib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import pytest

LOOPBACK = "127.0.0.1"
MAIL_UID = 5000
MAIL_GID = 5000
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    """Return a loopback TCP port that was free a moment ago (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def require_binary(name: str, package: str | None = None) -> str:
    """Locate ``name`` or fail the test: a missing server must never turn into a skip."""
    search_path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    found = shutil.which(name, path=search_path)
    if found is None:
        pytest.fail(
            f"{name!r} is not installed (apt package {package or name!r}); "
            "run scripts/test, which installs the servers the tests need",
            pytrace=False,
        )
    return found


def make_temp_dir(prefix: str) -> Path:
    """Make a temp dir other users can traverse (mail uid 5000 and postgres need to)."""
    path = Path(tempfile.mkdtemp(prefix=f"complaintd-{prefix}-"))
    path.chmod(0o755)
    return path


def stop_process(proc: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> None:
    """Terminate a process we started; kill it (and its process group) if it lingers."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
        proc.wait(timeout)


def tail(path: Path, lines: int = 30) -> str:
    """Last lines of a log file, for failure messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


def make_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """Create a throwaway cert/key for 127.0.0.1 and localhost; the cert doubles as CA file."""
    openssl = require_binary("openssl")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes"]
        + ["-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    return cert, key


def _quote_mailbox(name: str) -> str:
    """imaplib sends mailbox names verbatim, so quote them for names with spaces."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class DovecotServer:
    """A private Dovecot 2.3 with one passwd-file user, optionally TLS-only.

    Plain mode listens on ``port`` for IMAP. TLS mode sets ``ssl = required``: ``port`` is the
    implicit-TLS (imaps) port and ``starttls_port`` is a plain IMAP port offering STARTTLS.
    ``stop()`` and ``start()`` keep port, config and mail, to simulate an outage.
    """

    user = "intake"
    password = "intake-Pw-5d2e"
    """Unlike any other word in a log, so a test can tell that it was never written there."""
    host = LOOPBACK

    def __init__(self, tls: bool = False) -> None:
        self.tls = tls
        self.binary = require_binary("dovecot", "dovecot-imapd")
        if os.geteuid() != 0:
            pytest.fail(
                "the Dovecot fixture must run as root (mail_uid 5000); run scripts/test",
                pytrace=False,
            )
        self.dir = make_temp_dir("dovecot")
        self.mail_dir = self.dir / "mail"
        self.log_path = self.dir / "dovecot.log"
        self.conf_path = self.dir / "dovecot.conf"
        self.imap_port = free_port()
        self.imaps_port = free_port() if tls else 0
        self.ca_file: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._write_config()

    @property
    def port(self) -> int:
        """The port clients should use: imaps in TLS mode, plain IMAP otherwise."""
        return self.imaps_port if self.tls else self.imap_port

    @property
    def starttls_port(self) -> int:
        """Plain IMAP port; in TLS mode login there works only after STARTTLS."""
        return self.imap_port

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _write_config(self) -> None:
        d = self.dir
        for sub in ("run", "state"):
            (d / sub).mkdir(exist_ok=True)
        self._make_mail_dir()
        (d / "passwd").write_text(
            f"{self.user}:{{PLAIN}}{self.password}:{MAIL_UID}:{MAIL_GID}::{self.mail_dir}::\n"
        )
        if self.tls:
            cert, key = make_self_signed_cert(d)
            self.ca_file = cert
            ssl_lines = f"ssl = required\nssl_cert = <{cert}\nssl_key = <{key}\n"
            imaps = f"address = {LOOPBACK}\n    port = {self.imaps_port}\n    ssl = yes"
        else:
            ssl_lines = "ssl = no\n"
            imaps = "port = 0"
        self.conf_path.write_text(
            f"""protocols = imap
listen = {LOOPBACK}
base_dir = {d}/run
state_dir = {d}/state
instance_name = test-{self.imap_port}
log_path = {self.log_path}
{ssl_lines}disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{self.mail_dir}/Maildir
mail_uid = {MAIL_UID}
mail_gid = {MAIL_GID}
first_valid_uid = 500
first_valid_gid = 500
default_login_user = dovenull
default_internal_user = dovecot
service imap-login {{
  inet_listener imap {{
    address = {LOOPBACK}
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    {imaps}
  }}
}}
service auth {{
  user = root
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/passwd
  default_fields = uid={MAIL_UID} gid={MAIL_GID} home={self.mail_dir}
}}
"""
        )

    def _make_mail_dir(self) -> None:
        self.mail_dir.mkdir(exist_ok=True)
        for path in [self.mail_dir, *self.mail_dir.rglob("*")]:
            os.chown(path, MAIL_UID, MAIL_GID, follow_symlinks=False)

    def start(self) -> None:
        """Start Dovecot in the foreground and return once it has sent an IMAP greeting."""
        if self.running:
            return
        with open(self.dir / "stderr.log", "ab") as err:
            self._proc = subprocess.Popen(
                [self.binary, "-F", "-c", str(self.conf_path)],
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=err,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            try:
                self._read_greeting()
                return
            except (OSError, ssl.SSLError) as exc:
                last_error = exc
                time.sleep(0.05)
        self.stop()
        pytest.fail(
            f"dovecot did not greet on {self.host}:{self.port} ({last_error!r})\n"
            f"stderr:\n{tail(self.dir / 'stderr.log')}\nlog:\n{tail(self.log_path)}",
            pytrace=False,
        )

    def _read_greeting(self) -> None:
        with socket.create_connection((self.host, self.port), timeout=2) as raw:
            sock: socket.socket = raw
            if self.tls:
                sock = self.ssl_context().wrap_socket(raw, server_hostname=self.host)
            greeting = sock.recv(1024)
            if not greeting.startswith(b"* OK"):
                raise OSError(f"unexpected greeting {greeting!r}")

    def stop(self) -> None:
        """Stop Dovecot (its children exit with the master); mail and config stay."""
        if self._proc is not None:
            stop_process(self._proc)
            self._proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def reset(self) -> None:
        """Give the next test an empty mailbox: drop sessions, wipe the Maildir, ensure up."""
        if self.running:
            subprocess.run(
                [require_binary("doveadm", "dovecot-core"), "-c", str(self.conf_path)]
                + ["kick", self.user],
                capture_output=True,
                timeout=10,
                check=False,
            )
        shutil.rmtree(self.mail_dir, ignore_errors=True)
        self._make_mail_dir()
        self.start()

    def close(self) -> None:
        """Stop for good and remove the temp dir."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts only this server's self-signed certificate."""
        if self.ca_file is None:
            raise RuntimeError("this Dovecot runs without TLS")
        return ssl.create_default_context(cafile=str(self.ca_file))

    def connect(self) -> imaplib.IMAP4:
        """An authenticated imaplib client (IMAP4_SSL in TLS mode); caller logs out."""
        client: imaplib.IMAP4
        if self.tls:
            client = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=self.ssl_context())
        else:
            client = imaplib.IMAP4(self.host, self.port)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> int | None:
        """APPEND a raw message; returns its UID from APPENDUID when the server reports it."""
        client = self.connect()
        try:
            typ, data = client.append(_quote_mailbox(folder), None, None, raw)
            if typ != "OK":
                raise AssertionError(f"APPEND to {folder!r} failed: {data!r}")
        finally:
            client.logout()
        match = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
        return int(match.group(1)) if match else None

    def create_folder(self, folder: str) -> None:
        client = self.connect()
        try:
            typ, data = client.create(_quote_mailbox(folder))
            if typ != "OK":
                raise AssertionError(f"CREATE {folder!r} failed: {data!r}")
            client.subscribe(_quote_mailbox(folder))
        finally:
            client.logout()

    def folders(self) -> list[str]:
        """Names of all folders, for asserting what the daemon created."""
        client = self.connect()
        try:
            _, data = client.list()
        finally:
            client.logout()
        names = []
        for line in data:
            if isinstance(line, bytes):
                match = re.match(rb'\(.*?\) (?:"[^"]*"|NIL) "?(.*?)"?$', line)
                if match:
                    names.append(match.group(1).decode())
        return names

    def folder_uids(self, folder: str = "INBOX") -> list[int]:
        client = self.connect()
        try:
            self._select(client, folder)
            _, data = client.uid("SEARCH", "ALL")
        finally:
            client.logout()
        return sorted(int(uid) for uid in (data[0] or b"").split())

    def count(self, folder: str = "INBOX") -> int:
        return len(self.folder_uids(folder))

    def fetch_all(self, folder: str = "INBOX") -> list[bytes]:
        """Raw bytes of every message in ``folder``, in UID order, without setting \\Seen."""
        return [raw for _, raw, _ in self.fetch_with_flags(folder)]

    def fetch_with_flags(self, folder: str = "INBOX") -> list[tuple[int, bytes, set[str]]]:
        """(uid, raw bytes, flags) for every message in ``folder``, in UID order."""
        client = self.connect()
        try:
            self._select(client, folder)
            _, data = client.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
        finally:
            client.logout()
        result = []
        for item in data:
            if not isinstance(item, tuple):
                continue
            meta, body = item
            uid = re.search(rb"UID (\d+)", meta)
            flags = re.search(rb"FLAGS \(([^)]*)\)", meta)
            if uid is None:
                continue
            flag_set = set(flags.group(1).decode().split()) if flags else set()
            result.append((int(uid.group(1)), body, flag_set))
        return sorted(result, key=lambda entry: entry[0])

    @staticmethod
    def _select(client: imaplib.IMAP4, folder: str) -> None:
        typ, data = client.select(_quote_mailbox(folder), readonly=True)
        if typ != "OK":
            raise AssertionError(f"SELECT {folder!r} failed: {data!r}")


class RedisServer:
    """A throwaway redis-server without persistence; ``stop()``/``start()`` keep the port."""

    host = LOOPBACK

    def __init__(self) -> None:
        self.binary = require_binary("redis-server")
        self.port = free_port()
        self.dir = make_temp_dir("redis")
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start redis-server and return once it answers PING."""
        if self.running:
            return
        log = self.dir / "redis.log"
        with open(log, "ab") as out:
            self._proc = subprocess.Popen(
                [self.binary, "--bind", LOOPBACK, "--port", str(self.port)]
                + ["--save", "", "--appendonly", "no", "--daemonize", "no"]
                + ["--dir", str(self.dir)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and self._proc.poll() is None:
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.02)
        self.stop()
        pytest.fail(f"redis-server did not answer PING:\n{tail(log)}", pytrace=False)

    def stop(self) -> None:
        if self._proc is not None:
            stop_process(self._proc)
            self._proc = None

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def postgres_bin_dir() -> Path:
    """Newest /usr/lib/postgresql/*/bin that has initdb and pg_ctl."""
    candidates = [
        Path(p)
        for p in glob.glob("/usr/lib/postgresql/*/bin")
        if os.access(Path(p) / "initdb", os.X_OK) and os.access(Path(p) / "pg_ctl", os.X_OK)
    ]
    if not candidates:
        pytest.fail(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
            "run scripts/test, which installs the servers the tests need",
            pytrace=False,
        )

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    return max(candidates, key=version)


class PostgresServer:
    """A throwaway PostgreSQL cluster (trust auth, loopback, fsync off) owned by ``postgres``."""

    host = LOOPBACK
    user = "postgres"

    def __init__(self) -> None:
        self.bin_dir = postgres_bin_dir()
        self.port = free_port()
        self.dir = make_temp_dir("postgres")
        self.data_dir = self.dir / "data"
        self.log_path = self.dir / "postgres.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._started = False

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` database."""
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def dsn_for(self, database: str) -> str:
        """libpq URL for psycopg.connect, which does not accept the ``+psycopg`` suffix."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        """Run a PostgreSQL tool, as the postgres user when we are root (it refuses root)."""
        kwargs: dict[str, Any] = {}
        if self._as_postgres:
            kwargs = {"user": "postgres", "group": "postgres", "extra_groups": []}
        result = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            cwd=self.dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=120,
            check=False,
            **kwargs,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{args[0]} failed ({result.returncode}):\n"
                f"{result.stdout.decode(errors='replace')}{result.stderr.decode(errors='replace')}"
                f"\nlog:\n{tail(self.log_path)}"
            )

    def start(self) -> None:
        if not self.data_dir.exists():
            self._run(
                *("initdb", "-D", str(self.data_dir), "-A", "trust", "-U", self.user),
                *("-E", "UTF8", "--locale=C", "--no-sync"),
            )
        options = (
            f"-c listen_addresses={LOOPBACK} -p {self.port} -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._started = True
        try:
            self._run(
                *("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_path)),
                *("-o", options, "-w", "-t", "60", "start"),
            )
        except RuntimeError as exc:
            pytest.fail(f"PostgreSQL did not start: {exc}", pytrace=False)

    def stop(self) -> None:
        if self._started:
            self._started = False
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@dataclass(frozen=True)
class ReceivedMessage:
    """One message accepted by the SMTP sink."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    message: EmailMessage
    tls: bool = False
    """Whether the session was encrypted (implicit TLS or after STARTTLS)."""
    login: str | None = None
    """The user the client authenticated as, if it did."""


class SmtpSink:
    """A real SMTP server (aiosmtpd) that records what the daemon sends.

    ``fail_next(n, code)`` answers DATA with ``code`` (451 by default) for the next ``n``
    messages; ``reject_recipients(addresses)`` answers RCPT TO with 550 for those addresses.
    ``security`` "tls" (implicit TLS) or "starttls" (required before MAIL) uses a self-signed
    certificate whose ``ca_file`` clients must trust; ``credentials`` (user, password) makes
    AUTH required (over TLS only).
    """

    host = LOOPBACK

    def __init__(self, security: str = "none", credentials: tuple[str, str] | None = None) -> None:
        self.port = free_port()
        self.security = security
        self.credentials = credentials
        self.dir: Path | None = None
        self.ca_file: Path | None = None
        self._lock = threading.Lock()
        self._messages: list[ReceivedMessage] = []
        self._rejected: list[tuple[int, str]] = []
        self._fail_code = 451
        self._fail_remaining = 0
        self._bad_rcpts: dict[str, int] = {}
        self._controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        options: dict[str, Any] = {}
        if self.security != "none":
            self.dir = make_temp_dir("smtp")
            cert, key = make_self_signed_cert(self.dir)
            self.ca_file = cert
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            if self.security == "tls":
                # aiosmtpd offers AUTH only after STARTTLS unless told; this socket is TLS already
                options.update(ssl_context=context, auth_require_tls=False)
            else:
                options.update(tls_context=context, require_starttls=True)
        if self.credentials is not None:
            options.update(authenticator=self._authenticate, auth_required=True)
        self._controller = Controller(
            _SinkHandler(self),
            hostname=self.host,
            port=self.port,
            enable_SMTPUTF8=True,
            ready_timeout=START_TIMEOUT,
            **options,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if isinstance(auth_data, LoginPassword) and self.credentials is not None:
            given = (auth_data.login.decode(), auth_data.password.decode())
            if given == self.credentials:
                return AuthResult(success=True, auth_data=given[0])
        return AuthResult(success=False, handled=False)

    @property
    def messages(self) -> list[ReceivedMessage]:
        """A snapshot of the messages accepted so far."""
        with self._lock:
            return list(self._messages)

    @property
    def rejected(self) -> list[tuple[int, str]]:
        """(code, what) for every RCPT or DATA the sink refused, in order."""
        with self._lock:
            return list(self._rejected)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._rejected.clear()

    def fail_next(self, n: int, code: int = 451) -> None:
        """Refuse the next ``n`` messages at DATA with ``code`` (4xx transient, 5xx permanent)."""
        with self._lock:
            self._fail_code, self._fail_remaining = code, n

    def reject_recipients(self, addresses: Iterable[str], code: int = 550) -> None:
        """Refuse these recipient addresses (case-insensitive) at RCPT TO with ``code``."""
        with self._lock:
            for address in addresses:
                self._bad_rcpts[address.lower()] = code

    def wait_for(self, count: int, timeout: float = 10) -> list[ReceivedMessage]:
        """Wait until at least ``count`` messages arrived; the daemon sends asynchronously."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.messages
            if len(messages) >= count:
                return messages
            if time.monotonic() >= deadline:
                summary = [(m.mail_from, m.rcpt_tos, m.message["Subject"]) for m in messages]
                raise AssertionError(
                    f"expected {count} message(s) within {timeout}s, got {len(messages)}: "
                    f"{summary!r}; rejected: {self.rejected!r}"
                )
            time.sleep(0.02)

    def _check_rcpt(self, address: str) -> int | None:
        with self._lock:
            code = self._bad_rcpts.get(address.lower())
            if code is not None:
                self._rejected.append((code, address))
            return code

    def _take_failure(self) -> int | None:
        with self._lock:
            if self._fail_remaining <= 0:
                return None
            self._fail_remaining -= 1
            self._rejected.append((self._fail_code, "DATA"))
            return self._fail_code

    def _store(self, message: ReceivedMessage) -> None:
        with self._lock:
            self._messages.append(message)


class _SinkHandler:
    """aiosmtpd handler hooks; state lives in the SmtpSink so tests can steer it."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        code = self.sink._check_rcpt(address)
        if code is not None:
            enhanced = "5.1.1" if code >= 500 else "4.2.0"
            return f"{code} {enhanced} <{address}>: recipient rejected by test sink"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        code = self.sink._take_failure()
        if code is not None:
            enhanced = "5.3.0" if code >= 500 else "4.3.0"
            return f"{code} {enhanced} test sink refused this message"
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        self.sink._store(
            ReceivedMessage(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                data=raw,
                message=cast(EmailMessage, parsed),
                tls=server.transport.get_extra_info("ssl_object") is not None,
                login=session.auth_data if session.authenticated else None,
            )
        )
        return "250 OK queued"
