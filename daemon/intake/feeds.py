"""External form services: a poller per ``[[feeds]]`` entry fetches new submissions as JSON.

Each poll asks the service for what came after the stored cursor (a since-timestamp, an id or
a cursor token the service hands out), turns every submission into a web submission message
and hands it to the pipeline under the source ``feed:<name>`` with the submission id as key,
so that a submission seen twice is recorded once. The cursor moves on only after every item
of a page has been recorded; an HTTP error, a timeout or a body that is not the expected JSON
leaves it where it was, and the feed backs off (doubling, up to ten times its interval).

The same mapping code serves the inbound webhook (``daemon.web.webhook``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import mimetypes
import re
import ssl
import time
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin

import httpx
from sqlalchemy import select

from daemon.clock import utcnow
from daemon.config import SUBMISSION_FIELDS, FeedSettings, FieldMapping, Settings
from daemon.intake.base import Incoming
from daemon.intake.submission import Submission, to_message
from daemon.mail.charsets import one_line
from daemon.store.db import Database
from daemon.store.models import FeedCursor, RawItem

log = logging.getLogger(__name__)

POLL_BUDGET_SECONDS = 60.0
"""A poll stops paging after this long (the rest waits for the next poll), so that the
service loop keeps feeding the systemd watchdog and its mailbox."""

BACKOFF_FACTOR = 10
"""After failures a feed waits at most this many times its interval."""

BATCH = 20
"""Items recorded per pipeline transaction (bounds memory with attachments)."""

MAX_REDIRECTS = 5

_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*$")
_NOT_IN_ADDRESS = re.compile(r"[\s<>\"(),;:\\\[\]]")

FILENAME_KEYS = ("filename", "file_name", "name")
TYPE_KEYS = ("content_type", "mime_type", "mimetype", "type")
URL_KEYS = ("url", "href", "download_url", "file_url")
DATA_KEYS = ("data", "base64", "content")


class FeedError(Exception):
    """The feed cannot be read now (HTTP error, timeout, unexpected body); try again later."""


class FileUnavailable(Exception):
    """An attachment that will not come (HTTP 4xx, bad URL): noted in the ticket, not retried."""


# --- mapping ------------------------------------------------------------------------------


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted path (``answers.email``, ``data.items``, ``files.0.url``) or None."""
    node = data
    for part in path.split(".") if path else ():
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and re.fullmatch(r"-?\d+", part):
            index = int(part)
            node = node[index] if -len(node) <= index < len(node) else None
        else:
            return None
    return node


def text_of(value: Any) -> str:
    """A form value as text: lists joined with commas, objects as JSON, nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ", ".join(t for t in (text_of(v) for v in value) if t)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def item_key(item: Any, id_field: str) -> str:
    """The submission's own id, or a digest of its JSON when it has none usable."""
    value = text_of(lookup(item, id_field)).strip() if isinstance(item, dict) else ""
    if value and len(value) <= 200 and value.isprintable():
        return value
    canonical = json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _first(entry: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        if isinstance(entry.get(key), str) and entry[key].strip():
            return entry[key].strip()
    return ""


def _content_type(declared: str, filename: str) -> str:
    declared = declared.split(";", 1)[0].strip().lower()
    if _CONTENT_TYPE.match(declared):
        return declared
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


class FileFetcher:
    """Downloads attachment URLs, capped in size; the feed's auth header goes only to the feed's
    own origin (and ``auth_file_hosts`` over HTTPS), also across redirects."""

    def __init__(
        self,
        client: httpx.Client,
        max_bytes: int,
        auth: dict[str, str] | None = None,
        origin_url: str | None = None,
        auth_hosts: list[str] | None = None,
    ) -> None:
        self.client = client
        self.max_bytes = max_bytes
        self.auth = auth or {}
        self.origin = _origin(httpx.URL(origin_url)) if origin_url else None
        self.auth_hosts = {host.lower() for host in auth_hosts or ()}

    def headers_for(self, url: httpx.URL) -> dict[str, str]:
        if not self.auth:
            return {}
        if _origin(url) == self.origin or (url.scheme == "https" and url.host in self.auth_hosts):
            return self.auth
        return {}

    def get(self, url: str) -> bytes | None:
        """The bytes, or None when they are bigger than the cap (not downloaded further).

        Raises FileUnavailable for a permanent failure, FeedError for a transient one.
        """
        for _ in range(MAX_REDIRECTS + 1):
            try:
                target = httpx.URL(url)
            except (httpx.InvalidURL, TypeError) as exc:
                raise FileUnavailable(f"bad URL: {exc}") from exc
            if target.scheme not in ("http", "https") or not target.host:
                raise FileUnavailable("not an http(s) URL")
            try:
                with self.client.stream("GET", target, headers=self.headers_for(target)) as resp:
                    if resp.is_redirect and "location" in resp.headers:
                        url = urljoin(str(target), resp.headers["location"])
                        continue
                    if resp.status_code == 429 or resp.status_code >= 500:
                        raise FeedError(f"attachment: HTTP {resp.status_code}")
                    if not resp.is_success:
                        raise FileUnavailable(f"HTTP {resp.status_code}")
                    return read_capped(resp, self.max_bytes)
            except httpx.HTTPError as exc:
                raise FeedError(f"attachment: {type(exc).__name__}: {exc}") from exc
        raise FileUnavailable("too many redirects")


def read_capped(response: httpx.Response, limit: int) -> bytes | None:
    """The body of a streamed response, or None as soon as it exceeds ``limit``."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, total = [], 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _files(
    value: Any, fetcher: FileFetcher | None, max_bytes: int, budget: int
) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    """Attachments from a list of {filename, content_type, url | data}; notes for the rest."""
    files: list[tuple[str, str, bytes]] = []
    notes: list[str] = []
    entries = value if isinstance(value, list) else [value] if value else []
    for number, entry in enumerate(entries, 1):
        if isinstance(entry, str):
            entry = {"url": entry} if entry.startswith(("http://", "https://")) else {}
        if not isinstance(entry, dict):
            notes.append(f"Attachment {number}: not understood")
            continue
        url, encoded = _first(entry, URL_KEYS), _first(entry, DATA_KEYS)
        filename = _first(entry, FILENAME_KEYS) or (
            unquote(PurePosixPath(httpx.URL(url).path).name) if url else ""
        )
        filename = one_line(filename, 200) or f"attachment-{number}"
        declared = _first(entry, TYPE_KEYS)
        data: bytes | None
        if encoded:
            if encoded.startswith("data:") and "," in encoded:
                header, encoded = encoded[5:].split(",", 1)
                declared = declared or header.split(";", 1)[0]
            if len(encoded) * 3 // 4 > max_bytes:
                data = None
            else:
                try:
                    data = base64.b64decode(encoded, validate=False)
                except (binascii.Error, ValueError):
                    notes.append(f"Attachment {filename}: data is not base64")
                    continue
        elif url:
            if fetcher is None:
                notes.append(f"Attachment {filename}: {url}")
                continue
            try:
                data = fetcher.get(url)
            except FileUnavailable as exc:
                notes.append(f"Attachment {filename} could not be fetched ({exc}): {url}")
                continue
        else:
            notes.append(f"Attachment {filename}: neither url nor data")
            continue
        if data is None or len(data) > max_bytes or len(data) > budget:
            where = f": {url}" if url else ""
            notes.append(f"Attachment {filename} not kept: bigger than the limit{where}")
            continue
        budget -= len(data)
        files.append((filename, _content_type(declared, filename), data))
    return files, notes


def build_submission(
    item: Any,
    mapping: FieldMapping,
    key: str,
    *,
    fetcher: FileFetcher | None = None,
    max_attachment_bytes: int,
    max_message_bytes: int,
) -> Submission:
    """The submission in our terms. Nothing is dropped: a submission without an address or a
    description still becomes a message (with the original JSON attached), which the pipeline
    records and quarantines for staff."""
    values = dict.fromkeys(SUBMISSION_FIELDS, "")
    if isinstance(item, dict):
        for ours, theirs in mapping.fields.items():
            values[ours] = text_of(lookup(item, theirs)).strip()
    values["email"] = _NOT_IN_ADDRESS.sub("", values["email"])[:320]
    values["language"] = one_line(values["language"], 16)
    values["reference"] = values["reference"] or key
    files: list[tuple[str, str, bytes]] = []
    notes: list[str] = []
    if isinstance(item, dict) and mapping.files_field:
        budget = int(max_message_bytes / 1.4) - 65536
        files, notes = _files(
            lookup(item, mapping.files_field), fetcher, max_attachment_bytes, budget
        )
    missing = [f for f in ("email", "description") if not values[f]]
    if missing or not isinstance(item, dict):
        original = json.dumps(item, ensure_ascii=False, indent=2).encode("utf-8", "replace")
        files.append(("submission.json", "application/json", original[:max_attachment_bytes]))
        notes.append(f"Missing in the submission: {', '.join(missing) or 'everything'}")
    if notes:
        values["description"] = "\n\n".join([values["description"], *notes]).strip()
    return Submission(**values, files=files)


def make_message(
    settings: Settings,
    mapping: FieldMapping,
    key: str,
    item: Any,
    fetcher: FileFetcher | None = None,
) -> bytes:
    """The raw message for one submission; falls back to a bare one (quarantined) when the
    submission's values cannot be put into a message at all."""
    submission = build_submission(
        item,
        mapping,
        key,
        fetcher=fetcher,
        max_attachment_bytes=settings.storage.max_attachment_bytes,
        max_message_bytes=settings.storage.max_message_bytes,
    )
    try:
        return to_message(submission, settings.desk.address, "web")
    except (ValueError, TypeError, LookupError) as exc:
        log.warning("submission %s cannot be made a message (%s); recording it bare", key, exc)
        original = json.dumps(item, ensure_ascii=False, indent=2)
        bare = Submission(
            name="",
            email="",
            description=f"Submission {key} could not be read: {exc}\n\n{original}",
            reference=key,
        )
        return to_message(bare, settings.desk.address, "web")


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host.lower(), url.port or default)


def make_client(feed: FeedSettings) -> httpx.Client:
    """HTTP(S) with normal certificate checks (or the feed's own CA), timeouts, no redirects."""
    verify: ssl.SSLContext | bool = True
    if feed.ca_file is not None:
        verify = ssl.create_default_context(cafile=str(feed.ca_file))
    return httpx.Client(
        timeout=httpx.Timeout(feed.timeout_seconds),
        verify=verify,
        follow_redirects=False,
        headers={"User-Agent": "complaintd", "Accept": "application/json"},
    )


def auth_headers(feed: FeedSettings) -> dict[str, str]:
    if feed.auth_header and feed.auth_value is not None:
        return {feed.auth_header: feed.auth_value.get_secret_value()}
    return {}


# --- polling --------------------------------------------------------------------------------


class FeedPoller:
    """One configured feed: ``due()`` says when to ask again, ``poll()`` imports what is new."""

    def __init__(
        self,
        settings: Settings,
        feed: FeedSettings,
        db: Database,
        *,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.feed = feed
        self.db = db
        self.source = f"feed:{feed.name}"
        self.client = client or make_client(feed)
        self.clock = clock
        self.auth = auth_headers(feed)
        self.origin = _origin(httpx.URL(feed.url))
        self.fetcher = FileFetcher(
            self.client,
            settings.storage.max_attachment_bytes,
            self.auth,
            feed.url,
            feed.auth_file_hosts,
        )
        self.failures = 0
        self.delay = 0.0
        self.next_at = clock()
        self.last_error: str | None = None

    @property
    def name(self) -> str:
        return self.feed.name

    def due(self) -> bool:
        return self.clock() >= self.next_at

    def close(self) -> None:
        self.client.close()

    # cursor

    def cursor(self) -> str | None:
        with self.db.transaction() as session:
            row = session.get(FeedCursor, self.feed.name)
            return row.cursor if row is not None else None

    def _save_cursor(self, value: str) -> None:
        with self.db.transaction() as session:
            row = session.get(FeedCursor, self.feed.name)
            if row is None:
                session.add(FeedCursor(feed=self.feed.name, cursor=value, updated_at=utcnow()))
            else:
                row.cursor, row.updated_at = value, utcnow()

    # one poll

    def poll(self, pipeline: Any) -> int:
        """Fetch pages until nothing more (bounded); returns the number of new items recorded.

        Never raises: a failure is logged, the cursor stays where the last fully recorded
        page left it, and the feed is due again after its back-off delay.
        """
        started = self.clock()
        imported = 0
        more = False
        try:
            cursor = self.cursor()
            for _page in range(self.feed.max_pages_per_poll):
                data, items = self._fetch_page(cursor)
                imported += self._record(pipeline, items)
                following = self._next_cursor(data, items)
                more = self._has_more(data, items, cursor, following)
                if following is not None and following != cursor:
                    self._save_cursor(following)
                    cursor = following
                if not more or self.clock() - started > POLL_BUDGET_SECONDS:
                    break
            else:
                more = True
        except Exception as exc:  # noqa: BLE001 - a feed never stops the daemon
            self._failed(exc)
            return imported
        self.failures, self.delay, self.last_error = 0, 0.0, None
        self.next_at = self.clock() + (0.0 if more else self.feed.interval_seconds)
        if imported:
            log.info("feed %s: %d new submissions", self.feed.name, imported)
        return imported

    def _failed(self, exc: Exception) -> None:
        self.failures += 1
        interval = self.feed.interval_seconds
        self.delay = min(interval * 2**self.failures, interval * BACKOFF_FACTOR)
        self.next_at = self.clock() + self.delay
        self.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if isinstance(exc, FeedError | httpx.HTTPError):
            log.warning(
                "feed %s: %s; cursor kept, retry in %.0f s", self.feed.name, exc, self.delay
            )
        else:
            log.error(
                "feed %s failed (cursor kept, retry in %.0f s)",
                self.feed.name,
                self.delay,
                exc_info=exc,
            )

    def _request(self, cursor: str | None) -> tuple[httpx.URL, dict[str, str]]:
        params = dict(self.feed.params)
        if self.feed.page_size and self.feed.page_size_param:
            params[self.feed.page_size_param] = str(self.feed.page_size)
        if cursor and cursor.startswith(("http://", "https://")):
            url = httpx.URL(cursor)
            if _origin(url) != self.origin:
                raise FeedError(f"next page {cursor!r} is not on the feed's own server")
            return url, {}
        if cursor and self.feed.cursor_param:
            params[self.feed.cursor_param] = cursor
        return httpx.URL(self.feed.url), params

    def _fetch_page(self, cursor: str | None) -> tuple[Any, list]:
        url, params = self._request(cursor)
        try:
            with self.client.stream("GET", url, params=params, headers=self.auth) as response:
                if not response.is_success:
                    raise FeedError(f"HTTP {response.status_code} from {url.copy_with(query=None)}")
                body = read_capped(response, self.settings.storage.max_message_bytes)
        except httpx.HTTPError as exc:
            raise FeedError(f"{type(exc).__name__}: {exc}") from exc
        if body is None:
            raise FeedError("response bigger than storage.max_message_bytes")
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise FeedError(f"response is not JSON: {exc}") from exc
        items = lookup(data, self.feed.items_key)
        if not isinstance(items, list):
            where = self.feed.items_key or "the top level"
            raise FeedError(f"response has no list of submissions at {where}")
        return data, items

    def _next_cursor(self, data: Any, items: list) -> str | None:
        if self.feed.next_cursor_key:
            given = text_of(lookup(data, self.feed.next_cursor_key)).strip()
            if given:
                return given
        if self.feed.cursor_field and items:
            value = text_of(lookup(items[-1], self.feed.cursor_field)).strip()
            if value:
                return value
        return None

    def _has_more(self, data: Any, items: list, cursor: str | None, following: str | None) -> bool:
        if not items or following is None or following == cursor:
            return False
        if not (self.feed.cursor_param or following.startswith(("http://", "https://"))):
            return False
        if self.feed.next_cursor_key and not lookup(data, self.feed.next_cursor_key):
            return False
        return not (self.feed.page_size and len(items) < self.feed.page_size)

    def _record(self, pipeline: Any, items: list) -> int:
        """Every item of the page recorded (new ones only); returns how many were new."""
        keyed: dict[str, Any] = {}
        for item in items:
            keyed.setdefault(item_key(item, self.feed.id_field), item)
        with self.db.transaction() as session:
            known = set(
                session.scalars(
                    select(RawItem.source_key).where(
                        RawItem.source == self.source, RawItem.source_key.in_(list(keyed))
                    )
                )
            )
        waiting = [(key, item) for key, item in keyed.items() if key not in known]
        imported = 0
        for start in range(0, len(waiting), BATCH):
            batch = []
            for key, item in waiting[start : start + BATCH]:
                raw = make_message(self.settings, self.feed, key, item, self.fetcher)
                batch.append(Incoming(key, raw, len(raw)))
            results = pipeline.receive_batch(self.source, batch)
            imported += sum(not result.repeated for result in results)
        return imported


def make_pollers(settings: Settings, db: Database) -> list[FeedPoller]:
    """A poller per configured feed."""
    return [FeedPoller(settings, feed, db) for feed in settings.feeds]
