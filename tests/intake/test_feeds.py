"""External form feeds against a small form service started on 127.0.0.1 by the test."""

from __future__ import annotations

import base64
import hashlib
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from daemon.config import ConfigError, FeedSettings, Settings, load
from daemon.intake.feeds import FeedPoller, lookup
from daemon.pipeline import Pipeline
from daemon.service import Service
from daemon.store.db import Database
from daemon.store.models import Attachment, FeedCursor, RawItem, Ticket
from tests.servers import make_self_signed_cert

TOKEN = "Bearer t0ken-for-tests"


class FormService:
    """A form service: ``/api/submissions?since=&limit=`` (since-timestamp, newest last),
    ``/api/v2/items?after=`` (cursor tokens in ``meta.next``), ``/files/<name>``.

    ``fail`` holds what the next page requests do instead of answering: "500", "timeout"
    (answers too late), "badjson". ``requests`` records (path, query, headers).
    """

    def __init__(self, token: str = TOKEN, cert: tuple[Path, Path] | None = None) -> None:
        self.token = token
        self.submissions: list[dict] = []
        self.files: dict[str, bytes] = {}
        self.fail: list[str] = []
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.delay = 1.0
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                service.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None  # clients that gave up, failed handshakes
        self.scheme = "http"
        if cert is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*cert)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FormService:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def queries(self, path: str) -> list[dict[str, str]]:
        return [query for p, query, _ in self.requests if p == path]

    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.requests.append((parts.path, query, dict(handler.headers.items())))
        if handler.headers.get("Authorization") != self.token:
            return self._send(handler, 401, b'{"error": "unauthorized"}', "application/json")
        if parts.path.startswith("/files/"):
            data = self.files.get(parts.path[7:])
            if data is None:
                return self._send(handler, 404, b"not found", "text/plain")
            return self._send(handler, 200, data, "application/octet-stream")
        if self.fail:
            action = self.fail.pop(0)
            if action == "500":
                return self._send(handler, 500, b"oops", "text/plain")
            if action == "timeout":
                time.sleep(self.delay)
            if action == "badjson":
                return self._send(handler, 200, b"<html>maintenance</html>", "application/json")
        if parts.path == "/api/submissions":
            since = query.get("since", "")
            items = [s for s in self.submissions if s["created_at"] > since]
            items = items[: int(query.get("limit", "100"))]
            body = {"submissions": items}
        elif parts.path == "/api/v2/items":
            start = int(query.get("after", "0"))
            items = self.submissions[start : start + 2]
            following = start + len(items)
            more = following < len(self.submissions)
            body = {"data": {"items": items}, "meta": {"next": str(following) if more else None}}
        else:
            return self._send(handler, 404, b"{}", "application/json")
        self._send(handler, 200, json.dumps(body).encode(), "application/json")


def submission(number: int, text: str, email: str | None, building: str = "", **extra) -> dict:
    answers = {"full_name": f"Owner {number}", "message": text, "building": building}
    if email is not None:
        answers["email"] = email
    return {
        "id": f"sub-{number:03d}",
        "created_at": f"2026-11-20T08:00:{number:02d}Z",
        "answers": answers,
        **extra,
    }


def leaks(numbers, text: str) -> list[dict]:
    """Submissions ``numbers`` whose message is ``text`` with {n} filled in."""
    return [submission(n, text.format(n=n), f"o{n}@x.example") for n in numbers]


SEVEN = [
    # (message, language, building field, building read by the pipeline); Spanish and English
    # owners name the building in their message (see test_language_with_a_building_field)
    ("卫生间天花板漏水一个星期了，请尽快派人维修。", "zh", "3栋", "3"),
    ("Hay humedad en el techo del baño desde hace una semana. Torre 2, 5ºB.", "es", "", "2"),
    ("The lift in Block 7 has been broken since Monday and my mother cannot use the stairs.",
     "en", "", "7"),
    ("小区门口的路灯坏了好几天了，晚上很黑。", "zh", "5栋", "5"),
    ("El ascensor de la Torre 4 no funciona desde el lunes y mi madre no puede subir.", "es",
     "", "4"),
    ("There is a strong smell of sewage in the car park of Block 1 for a week.", "en", "", "1"),
    ("物业费账单金额不对，请核实一下。", "zh", "8栋", "8"),
]  # fmt: skip


@pytest.fixture
def service() -> Iterator[FormService]:
    server = FormService().start()
    try:
        yield server
    finally:
        server.stop()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def setup(make_settings: Callable[..., Settings]):
    """Build (settings, pipeline, poller) for one feed; the poller runs on a fake clock."""
    made: list[FeedPoller] = []

    def build(feed: dict, **sections: dict) -> tuple[Pipeline, FeedPoller, Clock]:
        settings = make_settings(**sections)
        settings.feeds = [FeedSettings.model_validate(feed)]
        db = Database(settings.database.url)
        db.migrate()
        clock = Clock()
        poller = FeedPoller(settings, settings.feeds[0], db, clock=clock)
        made.append(poller)
        return Pipeline(settings, db), poller, clock

    yield build
    for poller in made:
        poller.close()


def feed_config(service: FormService, **overrides) -> dict:
    return {
        "name": "forms",
        "url": f"{service.base}/api/submissions",
        "interval_seconds": 60,
        "timeout_seconds": 0.5,
        "auth_header": "Authorization",
        "auth_value": TOKEN,
        "items_key": "submissions",
        "id_field": "id",
        "cursor_param": "since",
        "cursor_field": "created_at",
        "page_size": 3,
        "page_size_param": "limit",
        "fields": {
            "name": "answers.full_name",
            "email": "answers.email",
            "description": "answers.message",
            "building": "answers.building",
        },
        **overrides,
    }


def rows(pipeline: Pipeline, model, *where):
    with pipeline.db.transaction() as session:
        return list(session.scalars(select(model).where(*where)))


def count(pipeline: Pipeline, model) -> int:
    with pipeline.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_three_pages_make_seven_tickets_and_nothing_is_imported_twice(service, setup, db_url):
    for number, (text, _language, building, _) in enumerate(SEVEN, 1):
        service.submissions.append(
            submission(number, text, f"owner{number}@owner.example", building)
        )
    pipeline, poller, clock = setup(feed_config(service), database={"url": db_url})

    assert poller.due()
    started = time.monotonic()
    assert poller.poll(pipeline) == 7
    elapsed = time.monotonic() - started
    pages = service.queries("/api/submissions")
    assert [q.get("since") for q in pages] == [
        None,
        "2026-11-20T08:00:03Z",
        "2026-11-20T08:00:06Z",
    ]
    assert all(q["limit"] == "3" for q in pages)
    assert all(h["Authorization"] == TOKEN for _, _, h in service.requests)

    tickets = {t.owner_email: t for t in rows(pipeline, Ticket)}
    assert len(tickets) == 7
    for number, (_text, language, _building, building_no) in enumerate(SEVEN, 1):
        ticket = tickets[f"owner{number}@owner.example"]
        assert ticket.owner_name == f"Owner {number}"
        assert (ticket.language, ticket.building, ticket.channel) == (language, building_no, "web")
    keys = {(r.source, r.source_key) for r in rows(pipeline, RawItem)}
    assert keys == {("feed:forms", f"sub-{n:03d}") for n in range(1, 8)}
    assert rows(pipeline, FeedCursor)[0].cursor == "2026-11-20T08:00:07Z"

    # not due before the interval; then the stored cursor goes back to the server
    assert not poller.due()
    clock.now += 60
    assert poller.due()
    assert poller.poll(pipeline) == 0
    assert service.queries("/api/submissions")[-1]["since"] == "2026-11-20T08:00:07Z"

    # a server that ignores `since` and sends everything again: still nothing twice
    service.submissions.append(submission(8, "门禁卡失灵了", "owner8@owner.example", "2栋"))
    poller.feed.cursor_param = "ignored"
    poller.feed.page_size = poller.feed.page_size_param = None
    clock.now += 60
    assert poller.poll(pipeline) == 1
    assert count(pipeline, Ticket) == 8 and count(pipeline, RawItem) == 8
    print(f"\n7 submissions over 3 pages imported in {elapsed:.2f} s")


def test_language_with_a_building_field(service, setup):
    service.submissions.append(
        submission(1, "The lift has been broken since Monday.", "o1@x.example", "Block 7")
    )
    pipeline, poller, _ = setup(feed_config(service))
    assert poller.poll(pipeline) == 1
    (ticket,) = rows(pipeline, Ticket)
    assert (ticket.building, ticket.language) == ("7", "en")


def test_errors_keep_the_cursor_and_back_off_until_a_success(service, setup):
    service.submissions += leaks((1, 2), "Leak number {n} in the bathroom ceiling")
    pipeline, poller, clock = setup(feed_config(service, interval_seconds=10))
    assert poller.poll(pipeline) == 2
    cursor = poller.cursor()
    service.submissions.append(submission(3, "The door of the garage is broken", "o3@x.example"))

    delays, errors = [], []
    for action in ("500", "timeout", "badjson", "500", "500"):
        clock.now = poller.next_at
        service.fail.append(action)
        assert poller.poll(pipeline) == 0
        assert poller.cursor() == cursor
        delays.append(poller.delay)
        errors.append(poller.last_error)
        assert poller.next_at == clock.now + poller.delay
        assert not poller.due()
    assert delays == [20, 40, 80, 100, 100]  # doubling, capped at 10 x the interval
    assert "HTTP 500" in errors[0] and "ReadTimeout" in errors[1] and "not JSON" in errors[2]
    assert count(pipeline, Ticket) == 2

    clock.now = poller.next_at
    assert poller.poll(pipeline) == 1
    assert (poller.failures, poller.delay, poller.last_error) == (0, 0.0, None)
    assert poller.next_at == clock.now + 10
    assert poller.cursor() == "2026-11-20T08:00:03Z"
    assert count(pipeline, Ticket) == 3


def test_a_failure_on_a_later_page_keeps_the_pages_before(service, setup):
    service.submissions += leaks(range(1, 6), "Leak number {n} in the kitchen")
    pipeline, poller, clock = setup(feed_config(service))
    service.fail = ["", "500"]  # the first page answers, the second fails
    assert poller.poll(pipeline) == 3
    assert poller.cursor() == "2026-11-20T08:00:03Z" and poller.failures == 1
    clock.now = poller.next_at
    assert poller.poll(pipeline) == 2
    assert count(pipeline, Ticket) == 5


def test_auth_header_is_required_by_the_server(service, setup):
    service.submissions.append(submission(1, "Leak in the bathroom", "o1@x.example"))
    pipeline, poller, _ = setup(feed_config(service, auth_value="Bearer wrong"))
    assert poller.poll(pipeline) == 0
    assert "401" in poller.last_error and "wrong" not in poller.last_error
    assert service.requests[0][2]["Authorization"] == "Bearer wrong"
    assert poller.cursor() is None


def test_missing_email_and_odd_items_are_recorded_not_lost(service, setup):
    service.submissions += [
        submission(1, "Water is coming through the ceiling of the bedroom", None),
        submission(2, "", "nodescription@x.example"),
        submission(3, "Broken window", "evil@x.example\r\nBcc: victim@x.example"),
        {"created_at": "2026-11-20T08:00:04Z", "answers": {"email": ["a@x.example"]}},
    ]
    pipeline, poller, _ = setup(feed_config(service, page_size=10))
    assert poller.poll(pipeline) == 4
    items = {r.source_key: r for r in rows(pipeline, RawItem)}
    assert len(items) == 4
    missing = items["sub-001"]
    assert missing.status == "quarantined" and "sender" in missing.error
    assert b"submission.json" in missing.raw and b"Missing in the submission: email" in missing.raw
    assert items["sub-002"].status in ("quarantined", "done")
    assert b"Bcc: victim" not in items["sub-003"].raw
    (no_id,) = [k for k in items if k.startswith("sha256:")]
    assert items[no_id].status in ("quarantined", "done")
    assert poller.cursor() == "2026-11-20T08:00:04Z"
    poller.next_at = 0
    poller.feed.cursor_param = "ignored"  # everything again: still recorded once
    assert poller.poll(pipeline) == 0
    assert count(pipeline, RawItem) == 4


def test_bad_json_does_not_crash(service, setup):
    pipeline, poller, _ = setup(feed_config(service))
    service.fail.append("badjson")
    assert poller.poll(pipeline) == 0
    assert "not JSON" in poller.last_error
    poller.feed.items_key = "nothing.here"
    poller.next_at = 0
    assert poller.poll(pipeline) == 0
    assert "no list of submissions" in poller.last_error


def test_attachments_by_url_and_base64_are_stored(service, setup):
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
    service.files["photo.jpg"] = photo
    service.files["huge.bin"] = b"x" * 5000
    small = b"%PDF-1.4 tiny"
    item = submission(1, "The ceiling of the bathroom is leaking, see photo", "o1@x.example")
    files = f"{service.base}/files"
    item["files"] = [
        {"filename": "ceiling.jpg", "content_type": "image/jpeg", "url": f"{files}/photo.jpg"},
        {"name": "quote.pdf", "data": base64.b64encode(small).decode()},
        {"filename": "video.mp4", "url": f"{files}/huge.bin"},
        {"filename": "gone.png", "url": f"{files}/gone.png"},
    ]
    service.submissions.append(item)
    pipeline, poller, _ = setup(
        feed_config(service, files_field="files"), storage={"max_attachment_bytes": 4096}
    )
    assert poller.poll(pipeline) == 1
    (ticket,) = rows(pipeline, Ticket)
    stored = {a.filename: a for a in rows(pipeline, Attachment)}
    assert set(stored) == {"ceiling.jpg", "quote.pdf"}
    assert stored["ceiling.jpg"].sha256 == hashlib.sha256(photo).hexdigest()
    assert stored["ceiling.jpg"].content_type == "image/jpeg"
    assert stored["quote.pdf"].content_type == "application/pdf"
    path = pipeline.store.path_for(stored["ceiling.jpg"].sha256)
    assert path.read_bytes() == photo
    assert "video.mp4 not kept: bigger than the limit" in ticket.body
    assert "gone.png could not be fetched (HTTP 404)" in ticket.body
    file_requests = [h for p, _, h in service.requests if p.startswith("/files/")]
    assert file_requests and all(h["Authorization"] == TOKEN for h in file_requests)


def test_auth_goes_only_to_the_feeds_own_server(service, setup):
    other = FormService(token="").start()
    try:
        other.files["photo.jpg"] = b"\x89PNG\r\n\x1a\n" + b"0" * 100
        item = submission(1, "Crack in the wall of the living room", "o1@x.example")
        item["files"] = [{"filename": "crack.png", "url": f"{other.base}/files/photo.jpg"}]
        service.submissions.append(item)
        pipeline, poller, _ = setup(feed_config(service, files_field="files"))
        other.token = None  # serves without auth
        assert poller.poll(pipeline) == 1
        assert other.requests and "Authorization" not in other.requests[0][2]
        assert [a.filename for a in rows(pipeline, Attachment)] == ["crack.png"]
    finally:
        other.stop()


def test_next_cursor_from_the_response_and_nested_items(service, setup):
    service.submissions += leaks(range(1, 6), "Leak number {n} in the hall")
    pipeline, poller, clock = setup(
        feed_config(
            service,
            url=f"{service.base}/api/v2/items",
            items_key="data.items",
            cursor_param="after",
            cursor_field=None,
            next_cursor_key="meta.next",
            page_size=None,
            page_size_param=None,
        )
    )
    assert poller.poll(pipeline) == 5
    assert [q.get("after") for q in service.queries("/api/v2/items")] == [None, "2", "4"]
    assert poller.cursor() == "4"
    service.submissions.append(submission(6, "Leak number 6 in the hall", "o6@x.example"))
    clock.now += 60
    assert poller.poll(pipeline) == 1
    assert service.queries("/api/v2/items")[-1]["after"] == "4"
    assert count(pipeline, Ticket) == 6


def test_pages_per_poll_are_bounded_and_the_rest_comes_next(service, setup):
    service.submissions += leaks(range(1, 8), "Leak number {n}")
    pipeline, poller, _ = setup(feed_config(service, max_pages_per_poll=2))
    assert poller.poll(pipeline) == 6
    assert poller.due()  # more is waiting: due at once
    assert poller.poll(pipeline) == 1
    assert not poller.due()


def test_https_is_verified_with_the_configured_ca(tmp_path, setup):
    cert = make_self_signed_cert(tmp_path)
    server = FormService(cert=cert).start()
    try:
        server.submissions.append(submission(1, "Leak in the bathroom", "o1@x.example"))
        pipeline, poller, _ = setup(feed_config(server))
        assert poller.poll(pipeline) == 0
        assert "CERTIFICATE_VERIFY_FAILED" in poller.last_error or "certificate" in (
            poller.last_error.lower()
        )
        pipeline, poller, _ = setup(feed_config(server, ca_file=str(cert[0])))
        assert poller.poll(pipeline) == 1
    finally:
        server.stop()


def test_service_polls_configured_feeds(service, make_settings):
    service.submissions += leaks((1, 2), "Leak number {n} in the bathroom")
    settings = make_settings()
    settings.feeds = [FeedSettings.model_validate(feed_config(service))]
    assert Service(settings).run(once=True) == 0
    db = Database(settings.database.url)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 2
        assert session.get(FeedCursor, "forms").cursor == "2026-11-20T08:00:02Z"
    db.dispose()


def test_feed_config_from_toml_secrets_and_mistakes(tmp_path, monkeypatch):
    secret = tmp_path / "feed.token"
    secret.write_text("Bearer from-file\n")
    config = tmp_path / "complaintd.toml"
    config.write_text(
        f"""
[[feeds]]
name = "typeform"
url = "https://api.typeform.example/forms/abc/responses"
auth_header = "Authorization"
auth_value_file = "{secret}"
items_key = "items"
id_field = "token"
cursor_param = "since"
cursor_field = "submitted_at"
fields = {{ name = "answers.full_name", email = "hidden.email", description = "answers.message" }}

[[feeds]]
name = "jotform"
url = "https://jotform.example/api"
auth_header = "APIKEY"

[webhook]
secret = "hook-secret"
feed = "typeform"
"""
    )
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "feed_jotform").write_text("key-from-credential")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    settings = load(config, environ={})
    first, second = settings.feeds
    assert first.auth_value.get_secret_value() == "Bearer from-file"
    assert first.interval_seconds == 60 and first.fields["email"] == "hidden.email"
    assert second.auth_value.get_secret_value() == "key-from-credential"
    assert settings.webhook.secret.get_secret_value() == "hook-secret"
    assert "from-file" not in repr(settings)

    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    with pytest.raises(ConfigError, match=r"feeds\.1: .*no auth_value"):
        load(config, environ={})
    bad = tmp_path / "bad.toml"
    bad.write_text('[[feeds]]\nname = "x"\nurl = "ftp://x"\n')
    with pytest.raises(ConfigError, match=r"feeds\.0\.url"):
        load(bad, environ={})
    bad.write_text('[[feeds]]\nname = "x"\nurl = "https://x"\nfields = { mood = "m" }\n')
    with pytest.raises(ConfigError, match="unknown.*mood"):
        load(bad, environ={})
    bad.write_text("[webhook]\n")
    with pytest.raises(ConfigError, match="webhook: no secret"):
        load(bad, environ={})


def test_lookup_paths():
    data = {"a": {"b": [{"c": 1}, {"c": 2}]}, "n": None}
    assert lookup(data, "a.b.1.c") == 2
    assert lookup(data, "a.b.-1.c") == 2
    assert lookup(data, "a.b.5.c") is None
    assert lookup(data, "a.x.c") is None
    assert lookup(data, "n.x") is None
    assert lookup(data, "") is data
