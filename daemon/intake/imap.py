"""The complaint mailbox over IMAP (imap-tools): IDLE when offered, polling otherwise.

Raw bytes are fetched with ``BODY.PEEK[]`` and parsed once, in the pipeline. Items are keyed
by UIDVALIDITY and UID, and moved to the Processed (or Quarantine) folder after the commit.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl
from collections.abc import Callable, Collection
from typing import TypeVar

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import MailboxLoginError, UnexpectedCommandStatusError

from daemon.config import ImapSettings
from daemon.intake.base import Incoming, SourceUnavailable, StopRequest

log = logging.getLogger(__name__)
T = TypeVar("T")

_FETCH_HEAD = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
NETWORK_ERRORS = (OSError, imaplib.IMAP4.error, imaplib.IMAP4.abort, UnexpectedCommandStatusError)


class ImapSource:
    name = "imap"

    def __init__(self, settings: ImapSettings, max_bytes: int) -> None:
        self.settings = settings
        self.max_bytes = max_bytes
        self.mailbox: MailBox | None = None
        self.uidvalidity = ""
        self.can_idle = False

    def _connect(self) -> MailBox:
        s = self.settings
        context = None
        if s.security != "none":
            context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        if s.security == "tls":
            box = MailBox(s.host, s.port, timeout=60, ssl_context=context)
        elif s.security == "starttls":
            box = MailBoxStartTls(s.host, s.port, timeout=60, ssl_context=context)
        else:
            box = MailBoxUnencrypted(s.host, s.port, timeout=60)
        box.login(s.user, s.password.get_secret_value(), initial_folder=None)
        _refresh_capabilities(box.client)
        for folder in (s.processed_folder, s.quarantine_folder):
            if not box.folder.exists(folder):
                box.folder.create(folder)
        box.folder.set(s.folder)
        status = box.client.response("UIDVALIDITY")[1]
        if status and status[0]:
            self.uidvalidity = status[0].decode()
        else:
            raw = box.client.status(s.folder, "(UIDVALIDITY)")[1][0]
            self.uidvalidity = _UIDVALIDITY.search(raw).group(1).decode()
        self.can_idle = "IDLE" in box.client.capabilities
        log.info("connected to %s:%s %s (IDLE %s)", s.host, s.port, s.folder, self.can_idle)
        return box

    def _box(self) -> MailBox:
        if self.mailbox is None:
            try:
                self.mailbox = self._connect()
            except MailboxLoginError as exc:
                raise SourceUnavailable(f"IMAP login refused: {exc}") from exc
            except (TimeoutError, *NETWORK_ERRORS) as exc:
                raise SourceUnavailable(f"IMAP {type(exc).__name__}: {exc}") from exc
        return self.mailbox

    def _drop(self) -> None:
        if self.mailbox is not None:
            with contextlib.suppress(OSError, AttributeError):
                self.mailbox.client.shutdown()
        self.mailbox = None

    def _call(self, action: Callable[[MailBox], T]) -> T:
        try:
            return action(self._box())
        except SourceUnavailable:
            raise
        except NETWORK_ERRORS as exc:
            self._drop()
            raise SourceUnavailable(f"IMAP {type(exc).__name__}: {exc}") from exc

    def fetch(self, skip: Collection[object] = ()) -> list[Incoming]:
        return self._call(lambda box: self._fetch(box, skip))

    def _fetch(self, box: MailBox, skip: Collection[object]) -> list[Incoming]:
        uids = [uid for uid in box.uids("ALL") if uid not in skip][: self.settings.batch_size]
        if not uids:
            return []
        client = box.client
        sizes = {}
        typ, data = client.uid("FETCH", ",".join(uids), "(UID RFC822.SIZE)")
        for line in data:
            text = line if isinstance(line, bytes) else line[0]
            uid, size = _FETCH_HEAD.search(text), _SIZE.search(text)
            if uid and size:
                sizes[uid.group(1).decode()] = int(size.group(1))
        small = [u for u in uids if sizes.get(u, 0) <= self.max_bytes]
        big = [u for u in uids if sizes.get(u, 0) > self.max_bytes]
        bodies = self._bodies(client, small, "BODY.PEEK[]")
        bodies.update(self._bodies(client, big, "BODY.PEEK[HEADER]"))
        return [
            Incoming(
                key=f"{self.uidvalidity}:{uid}", raw=bodies[uid], size=sizes.get(uid, 0), handle=uid
            )
            for uid in uids
            if uid in bodies
        ]

    @staticmethod
    def _bodies(client: imaplib.IMAP4, uids: list[str], what: str) -> dict[str, bytes]:
        if not uids:
            return {}
        typ, data = client.uid("FETCH", ",".join(uids), f"(UID {what})")
        bodies = {}
        for entry in data:
            if isinstance(entry, tuple):
                uid = _FETCH_HEAD.search(entry[0])
                if uid:
                    bodies[uid.group(1).decode()] = entry[1]
        return bodies

    def finish(self, done: list[tuple[Incoming, bool]]) -> None:
        processed = [i.handle for i, quarantined in done if not quarantined]
        held = [i.handle for i, quarantined in done if quarantined]

        def move(box: MailBox) -> None:
            if processed:
                box.move(processed, self.settings.processed_folder)
            if held:
                box.move(held, self.settings.quarantine_folder)

        self._call(move)

    def wait(self, seconds: float, stop: StopRequest) -> None:
        """IDLE until the server reports news (or the timeout, or a stop); sleep when IDLE is
        not offered."""
        self._call(lambda box: box)
        if not self.can_idle:
            stop.wait(min(seconds, self.settings.poll_seconds))
            return
        self._call(lambda box: _idle(box, min(seconds, self.settings.idle_seconds), stop))

    def close(self) -> None:
        if self.mailbox is not None:
            try:
                self.mailbox.logout()
            except (*NETWORK_ERRORS, AttributeError):
                pass
        self.mailbox = None


def _idle(box: MailBox, seconds: float, stop: StopRequest) -> None:
    """IDLE until the server sends something, ``seconds`` pass or the stop is asked for; what
    the server said is read when IDLE ends (DONE): the next fetch looks for itself."""
    with box.idle:
        stop.wait(seconds, box.client.sock)


def _refresh_capabilities(client: imaplib.IMAP4) -> None:
    """imaplib keeps the pre-login CAPABILITY list; servers announce MOVE and IDLE only after
    login. Without MOVE, imap-tools falls back to COPY+EXPUNGE, which a crash can leave half
    done (the message then sits in both folders)."""
    typ, data = client.capability()
    if typ == "OK" and data and data[0]:
        client.capabilities = tuple(data[0].decode("ascii", "replace").upper().split())
