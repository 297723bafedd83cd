"""Ways out for a composed mail: SMTP (aiosmtplib) or a folder of .eml files (embedded default)."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import ssl
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiosmtplib

from daemon.config import SmtpSettings

log = logging.getLogger(__name__)

Mail = tuple[str, str, str, bytes]
"""(sender, recipient, Message-ID, bytes) of one mail to send."""

OnResult = Callable[[int, Exception | None], Awaitable[None]]
"""Told each mail's result (its index, None when delivered) as soon as it is known; the next mail
on that connection waits until it returns, so the caller can record the result first."""


class TransientError(Exception):
    """Try again later: the server said 4xx about this mail, or the connection broke."""


class PermanentError(Exception):
    """Do not try again: the server refused the mail for good (5xx)."""


class ServerUnavailable(TransientError):
    """The server could not be reached, or refused our TLS or login: a fault of our configuration
    or of the server, not of the mail, so the mail waits (with back-off) however long it takes."""


class LoginRefused(ServerUnavailable):
    """The server refused our login (wrong user or password, or AUTH needed and not given)."""


AUTH_CODES = frozenset({454, 530, 534, 535, 538})
"""Replies about authentication (RFC 4954), wherever they come: never a verdict on the mail."""


class FileTransport:
    """Writes each mail as ``<Message-ID>.eml``; a newcomer can open what would have been sent."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    async def send_many(self, mails: list[Mail], on_result: OnResult) -> None:
        """Write every file, then report the results together: writing a mail again after a
        crash replaces its file, so nothing needs recording one by one."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for _sender, _recipient, message_id, raw in mails:
            name = re.sub(r"[^A-Za-z0-9._@-]", "_", message_id)[:200] + ".eml"
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
            os.replace(tmp, self.folder / name)
        await asyncio.gather(*(on_result(index, None) for index in range(len(mails))))


class SmtpTransport:
    """Sends over a few reused SMTP connections at once; errors come back per mail."""

    def __init__(self, settings: SmtpSettings, connections: int = 4) -> None:
        self.settings = settings
        self.connections = connections
        self.tls_context = None
        if settings.security != "none":
            cafile = str(settings.ca_file) if settings.ca_file else None
            self.tls_context = ssl.create_default_context(cafile=cafile)

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            use_tls=s.security == "tls",
            start_tls=s.security == "starttls",
            tls_context=self.tls_context,
            username=s.user,
            password=s.password.get_secret_value() if s.password else None,
            timeout=s.timeout_seconds,
        )

    async def _connect(self) -> aiosmtplib.SMTP:
        """A connected, logged-in client; every failure here is the server's or our
        configuration's (ServerUnavailable), and a refused login says so in the log."""
        client = self._client()
        try:
            await client.connect()
        except aiosmtplib.SMTPResponseException as exc:
            raise _server_error(exc.code, exc.message, self.settings) from exc
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            raise ServerUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return client

    async def _worker(self, queue: asyncio.Queue, on_result: OnResult) -> None:
        client: aiosmtplib.SMTP | None = None
        try:
            while not queue.empty():
                index, (sender, recipient, _mid, raw) = queue.get_nowait()
                result: Exception | None = None
                try:
                    if client is None or not client.is_connected:
                        client = await self._connect()
                    await client.sendmail(sender, [recipient], raw)
                except ServerUnavailable as exc:
                    result = exc
                except aiosmtplib.SMTPRecipientsRefused as exc:
                    refusal = exc.recipients[0]
                    result = _classify(refusal.code, refusal.message, self.settings)
                except aiosmtplib.SMTPResponseException as exc:
                    result = _classify(exc.code, exc.message, self.settings)
                except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
                    result = TransientError(f"{type(exc).__name__}: {exc}")
                    if client is not None:
                        client.close()
                    client = None
                if isinstance(result, ServerUnavailable):
                    if client is not None:
                        client.close()
                        client = None
                    await _defer_rest(queue, on_result, index, result)
                    return
                await on_result(index, result)
        finally:
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError):
                    client.close()

    async def send_many(self, mails: list[Mail], on_result: OnResult) -> None:
        """Send over up to ``connections`` connections; each result goes to ``on_result``
        before that connection takes its next mail."""
        queue: asyncio.Queue = asyncio.Queue()
        for entry in enumerate(mails):
            queue.put_nowait(entry)
        workers = min(self.connections, len(mails)) or 1
        await asyncio.gather(*(self._worker(queue, on_result) for _ in range(workers)))


async def _defer_rest(
    queue: asyncio.Queue, on_result: OnResult, index: int, error: ServerUnavailable
) -> None:
    """The server cannot take mail now: this mail and every one not yet taken wait for the next
    attempt, rather than each trying (and, with a wrong password, failing) a login of its own."""
    await on_result(index, error)
    while not queue.empty():
        other, _mail = queue.get_nowait()
        await on_result(other, error)


def _classify(code: int, message: str, settings: SmtpSettings) -> Exception:
    """A reply to one mail: about the server or our login (retried until it works), about this
    mail for good (5xx), or for now (4xx)."""
    if code in AUTH_CODES or code == 421:
        return _server_error(code, message, settings)
    text = f"{code} {message}".strip()
    return PermanentError(text) if 500 <= code < 600 else TransientError(text)


def _server_error(code: int, message: str, settings: SmtpSettings) -> ServerUnavailable:
    """A reply that is no verdict on any mail; a refused login is logged as such (the user and
    the server's words, never the password)."""
    text = f"{code} {message}".strip()
    if code not in AUTH_CODES:
        return ServerUnavailable(text)
    log.error(
        "SMTP login to %s:%s as %r refused (%s): mail stays queued and is retried; "
        "check [smtp] user and password",
        settings.host,
        settings.port,
        settings.user,
        text,
    )
    return LoginRefused(f"SMTP login refused: {text}")
