"""Ways out for a composed mail: SMTP (aiosmtplib) or a folder of .eml files (embedded default)."""

from __future__ import annotations

import asyncio
import os
import re
import ssl
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiosmtplib

from daemon.config import SmtpSettings

Mail = tuple[str, str, str, bytes]
"""(sender, recipient, Message-ID, bytes) of one mail to send."""

OnResult = Callable[[int, Exception | None], Awaitable[None]]
"""Told each mail's result (its index, None when delivered) as soon as it is known; the next mail
on that connection waits until it returns, so the caller can record the result first."""


class TransientError(Exception):
    """Try again later: the server said 4xx, or could not be reached."""


class PermanentError(Exception):
    """Do not try again: the server refused the mail for good (5xx)."""


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

    async def _worker(self, queue: asyncio.Queue, on_result: OnResult) -> None:
        client: aiosmtplib.SMTP | None = None
        try:
            while not queue.empty():
                index, (sender, recipient, _mid, raw) = queue.get_nowait()
                result: Exception | None = None
                try:
                    if client is None or not client.is_connected:
                        client = self._client()
                        await client.connect()
                    await client.sendmail(sender, [recipient], raw)
                except aiosmtplib.SMTPRecipientsRefused as exc:
                    result = _classify(exc.recipients[0].code, str(exc))
                except aiosmtplib.SMTPResponseException as exc:
                    result = _classify(exc.code, exc.message)
                    if exc.code in (421,) and client is not None:
                        client.close()
                        client = None
                except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
                    result = TransientError(f"{type(exc).__name__}: {exc}")
                    if client is not None:
                        client.close()
                    client = None
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


def _classify(code: int, message: str) -> Exception:
    text = f"{code} {message}".strip()
    return PermanentError(text) if 500 <= code < 600 else TransientError(text)
