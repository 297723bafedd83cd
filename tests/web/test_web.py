"""The owners' web form and status page, in process (Starlette's TestClient, no browser).

The browser, the real server process and the SMTP round trip are in test_web_browser.py.
"""

from __future__ import annotations

import base64
import email
import io
import re
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from starlette.testclient import TestClient

from daemon.clock import set_clock, utcnow
from daemon.mail import outbox
from daemon.mail.tokens import status_token
from daemon.pipeline import Pipeline
from daemon.sla.calendar import BusinessCalendar
from daemon.sla.scheduler import Scheduler
from daemon.store.db import Database
from daemon.store.models import Attachment, Event, Outbox, RawItem, Ticket
from daemon.web.app import build_app
from daemon.web.strings import STRINGS
from tests.mails import complaint

WEB_URL = "http://testserver"
MAX_FILE = 200_000
"""storage.max_attachment_bytes in these tests: the body limit is 5 files of it plus 1 MB."""

TINY_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZG"
    "NywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09P"
    "T09PT09PT09PT09PT09PT09PT09PT09PT0//wAARCAAMABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAA"
    "AAIE/8QAHhAAAAYCAwAAAAAAAAAAAAAAAAECBBESAxMFQdH/xAAUAQEAAAAAAAAAAAAAAAAAAAAE/8QAGBEAAgMA"
    "AAAAAAAAAAAAAAAAERIAASH/2gAMAwEAAhEDEQA/AK5R7lZ6tSUHeZsR9R6HFvcrzbtSgqRFSPufBvAJW2JyEalA"
    "2f/Z"
)
"""A 16x12 baseline JPEG (made by Chromium's canvas, ICC profile left out)."""

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

LEAK_ZH = "您好，3栋2单元1502卫生间天花板漏水一个星期了，请尽快派人维修。"
LEAK_EN = "Water is dripping from the bathroom ceiling of my flat since Monday, please help."
SCRIPT = "<script>alert(1)</script>"

HEADERS = {
    "content-security-policy": "frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
}


class Desk:
    """The app on a fresh SQLite database, with a client and a few look-ups."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.db = Database(settings.database.url)
        self.db.migrate()
        self.pipeline = Pipeline(settings, self.db)
        self.app = build_app(settings, self.pipeline)
        self.client = self.new_client()

    def new_client(self, address: str = "testclient", **kwargs: Any) -> TestClient:
        return TestClient(
            self.app, raise_server_exceptions=False, client=(address, 50000), **kwargs
        )

    def count(self, model: type) -> int:
        with self.db.transaction() as session:
            return session.scalar(select(func.count()).select_from(model))

    def ticket(self, number: str) -> Ticket:
        with self.db.transaction() as session:
            ticket = session.scalar(select(Ticket).where(Ticket.number == number))
            session.expunge(ticket)
            return ticket

    def outbox(self) -> list[email.message.EmailMessage]:
        with self.db.transaction() as session:
            rows = session.scalars(select(Outbox).order_by(Outbox.id))
            return [
                email.message_from_bytes(outbox.message_bytes(r), policy=policy.default)
                for r in rows
            ]

    def raw_items(self) -> list[bytes]:
        with self.db.transaction() as session:
            return list(session.scalars(select(RawItem.raw).order_by(RawItem.id)))


@pytest.fixture
def desk(make_settings) -> Iterator[Desk]:
    settings = make_settings(
        desk={"web_url": WEB_URL, "name": "Sunrise Gardens Property"},
        storage={"max_attachment_bytes": MAX_FILE},
    )
    desk = Desk(settings)
    try:
        yield desk
    finally:
        desk.client.close()
        desk.db.dispose()


def csrf(client: TestClient, lang: str = "en") -> str:
    """GET the form (which sets the session cookie) and return its CSRF token."""
    page = client.get(f"/?lang={lang}")
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)[1]


def fields(**overrides: str) -> dict[str, str]:
    values = {
        "name": "Ana García",
        "email": "ana@owner.example",
        "building": "Torre 2",
        "unit": "5ºB",
        "description": LEAK_EN,
        "consent": "yes",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def submit(
    client: TestClient,
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
    token: str | None = "",
    lang: str = "en",
    **overrides: str,
):
    """POST the form with a fresh token (``token=None``: without one)."""
    data = fields(**overrides)
    if token == "":
        token = csrf(client, lang)
    if token is not None:
        data["csrf"] = token
    return client.post(f"/submit?lang={lang}", data=data, files=files or [])


def number_on(page: str) -> str:
    return re.search(r'id="ticket-number">([^<]+)<', page)[1]


def error_of(page: str, field: str) -> str | None:
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    return match[1] if match else None


def assert_secure(response) -> None:
    for name, expected in HEADERS.items():
        assert expected in response.headers.get(name, ""), (response.status_code, name)


# --- a submission end to end (in process) -------------------------------------------------


def test_submission_becomes_a_ticket_with_an_acknowledgement_linking_the_status_page(desk):
    photo = ("files", ("ceiling.jpg", TINY_JPEG, "image/jpeg"))
    response = submit(desk.client, [photo], lang="zh", description=LEAK_ZH, name="王女士")
    assert response.status_code == 200, response.text
    assert 'lang="zh-CN"' in response.text and STRINGS["zh"]["done_title"] in response.text
    number = number_on(response.text)
    assert re.fullmatch(r"C\d{8}-\d{4}", number)
    ticket = desk.ticket(number)
    assert (ticket.channel, ticket.language) == ("web", "zh")
    assert ticket.owner_email == "ana@owner.example"
    assert desk.count(Attachment) == 1

    ack = next(m for m in desk.outbox() if m["To"].addresses[0].addr_spec == "ana@owner.example")
    text = ack.get_body(("plain",)).get_content()
    assert "统一编号" in text and number in text
    link = re.search(rf"{WEB_URL}/status/\S+", text)[0]
    status = desk.client.get(link.removeprefix(WEB_URL))
    assert status.status_code == 200
    assert number in status.text and STRINGS["zh"]["status_title"] in status.text


def test_kind_and_category_are_optional_and_unknown_values_are_dropped(desk):
    plain = number_on(submit(desk.client, email="a@owner.example").text)
    chosen = submit(desk.client, email="b@owner.example", kind="praise", category="billing")
    bad = submit(desk.client, email="c@owner.example", kind="<b>x</b>", category="drop table")
    assert bad.status_code == 200
    first, picked, unknown = (raw.decode("utf-8", "replace") for raw in desk.raw_items())
    assert "X-Complaintd-Kind" not in first and "X-Complaintd-Category" not in first
    assert "X-Complaintd-Kind: praise" in picked and "X-Complaintd-Category: billing" in picked
    assert "X-Complaintd-Kind" not in unknown and "X-Complaintd-Category" not in unknown
    assert "drop table" not in unknown and "<b>x</b>" not in unknown
    classified = desk.ticket(plain)
    assert (classified.kind, classified.category) != ("praise", "billing")
    owner_chose = desk.ticket(number_on(chosen.text))
    assert (owner_chose.kind, owner_chose.category) == ("praise", "billing")
    ignored = desk.ticket(number_on(bad.text))
    assert (ignored.kind, ignored.category) == (classified.kind, classified.category)


# --- language -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "lang", "title"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN", "投诉与报修"),
        ("es-ES,es;q=0.9", "es", "Reclamaciones y solicitudes de reparación"),
        ("fr-FR,de;q=0.8", "en", "Complaints and repair requests"),
        ("", "en", "Complaints and repair requests"),
    ],
)
def test_language_follows_accept_language(desk, accept, lang, title):
    page = desk.client.get("/", headers={"Accept-Language": accept})
    assert f'<html lang="{lang}">' in page.text
    assert f"<h1>{title}</h1>" in page.text


def test_language_switcher_overrides_the_browser_and_is_remembered(desk):
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    page = desk.client.get("/?lang=es", headers=zh)
    assert '<html lang="es">' in page.text
    for code in ("zh", "es", "en"):
        assert f'href="?lang={code}"' in page.text
    assert re.search(r'href="\?lang=es" lang="es" aria-current="true"', page.text)
    again = desk.client.get("/", headers=zh)
    assert '<html lang="es">' in again.text, "the choice is kept in the lang cookie"
    assert '<html lang="zh-CN">' in desk.client.get("/?lang=zh").text
    assert '<html lang="zh-CN">' in desk.client.get("/?lang=xx", headers=zh).text


def test_kind_and_category_choices_are_named_in_the_page_language(desk):
    zh = desk.client.get("/?lang=zh").text
    assert '<option value="repair_request">报修</option>' in zh
    assert '<option value="billing">收费</option>' in zh
    es = desk.client.get("/?lang=es").text
    assert '<option value="complaint">Reclamación</option>' in es
    assert "repair_request<" not in es and "construction_quality<" not in es


def test_validation_errors_are_in_the_chosen_language(desk):
    response = submit(desk.client, lang="es", email="ana@owner", description="fuga")
    assert response.status_code == 422
    assert error_of(response.text, "description") == STRINGS["es"]["too_short"]
    assert re.search(r'id="consent" name="consent" value="yes" checked', response.text)
    assert error_of(response.text, "email").startswith(STRINGS["es"]["bad_email"])


# --- validation ---------------------------------------------------------------------------


def test_validation_errors_sit_next_to_their_fields_and_keep_what_was_typed(desk):
    response = submit(
        desk.client,
        email="wang@owner",
        description="漏水",
        phone="138 0000 0000",
        name="王女士",
        consent=None,
        kind="repair_request",
    )
    assert response.status_code == 422
    page = response.text
    for field in ("email", "description", "consent"):
        assert error_of(page, field), field
        assert re.search(rf'id="{field}"[^>]*aria-describedby="{field}-error"', page), field
    assert error_of(page, "name") is None
    assert 'value="wang@owner"' in page and 'value="王女士"' in page
    assert 'value="138 0000 0000"' in page and ">漏水</textarea>" in page
    assert '<option value="repair_request" selected>Repair request</option>' in page
    assert not re.search(r'id="consent"[^>]* checked', page)
    assert desk.count(Ticket) == 0 and desk.count(RawItem) == 0


def test_typed_markup_is_shown_as_text(desk):
    evil_name = '"><img src=x onerror=alert(1)>'
    response = submit(desk.client, description=SCRIPT, name=evil_name, email="no-at-sign")
    assert response.status_code == 422
    assert SCRIPT not in response.text and "<img src=x" not in response.text
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in response.text


def test_required_fields(desk):
    response = submit(desk.client, name="", email="", description="")
    assert response.status_code == 422
    for field in ("name", "email", "description"):
        assert error_of(response.text, field) == STRINGS["en"]["required"]


# --- CSRF, honeypot, rate limits ----------------------------------------------------------


def test_post_without_or_with_a_foreign_csrf_token_is_refused(desk):
    assert submit(desk.client, token=None).status_code == 403
    assert submit(desk.client, token="0" * 64).status_code == 403
    other = desk.new_client()
    foreign = csrf(other)
    refused = submit(desk.client, token=foreign)
    assert refused.status_code == 403
    assert STRINGS["en"]["expired"] in refused.text
    fresh = desk.new_client()
    assert submit(fresh, token=None).status_code == 403, "no cookie, no token"
    assert desk.count(Ticket) == 0 and desk.count(RawItem) == 0
    assert submit(other, token=foreign).status_code == 200


def test_filled_honeypot_looks_accepted_but_makes_no_ticket(desk):
    response = submit(desk.client, website="http://spam.example")
    assert response.status_code == 200
    assert number_on(response.text) == "-"
    assert desk.count(Ticket) == 0 and desk.count(RawItem) == 0 and desk.count(Outbox) == 0


def test_rate_limit_per_address(desk):
    for i in range(10):
        assert submit(desk.client, email=f"owner{i}@owner.example").status_code == 200, i
    refused = submit(desk.client, email="owner10@owner.example")
    assert refused.status_code == 429
    assert STRINGS["en"]["rate_limited"] in refused.text
    assert_secure(refused)
    other = desk.new_client("192.0.2.7")
    assert submit(other, email="owner11@owner.example").status_code == 200
    assert desk.count(Ticket) == 11


def test_rate_limit_per_email_whatever_the_address(desk):
    for i in range(5):
        client = desk.new_client(f"192.0.2.{i + 1}")
        response = submit(client, email="Repeat@Owner.example")
        assert response.status_code == 200, i
    last = desk.new_client("198.51.100.9")
    assert submit(last, email="repeat@owner.EXAMPLE").status_code == 429
    assert submit(last, email="someone.else@owner.example").status_code == 200
    assert desk.count(Ticket) == 6


def test_rate_limits_end_with_their_window(desk):
    start = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    now = [start]
    set_clock(lambda: now[0])
    try:
        for i in range(10):
            assert submit(desk.client, email=f"owner{i}@owner.example").status_code == 200, i
        now[0] = start + timedelta(minutes=9, seconds=59)
        assert submit(desk.client, email="late@owner.example").status_code == 429
        now[0] = start + timedelta(minutes=10, seconds=1)  # the first ones are 10 minutes old
        assert submit(desk.client, email="again@owner.example").status_code == 200

        for i in range(5):
            client = desk.new_client(f"192.0.2.{i + 1}")
            assert submit(client, email="repeat@owner.example").status_code == 200, i
        later = desk.new_client("198.51.100.9")
        now[0] += timedelta(minutes=59)
        assert submit(later, email="repeat@owner.example").status_code == 429
        now[0] += timedelta(minutes=1, seconds=1)  # an hour since the fifth
        assert submit(later, email="repeat@owner.example").status_code == 200
    finally:
        set_clock(None)
    assert desk.count(Ticket) == 17


# --- files and sizes ----------------------------------------------------------------------


def test_file_type_is_judged_by_content_not_by_name(desk):
    fake = ("files", ("photo.jpg", b"just some text, not a photo at all\n" * 3, "image/jpeg"))
    response = submit(desk.client, [fake])
    assert response.status_code == 422
    assert error_of(response.text, "files") == (
        "Only photos (JPEG, PNG, GIF, WebP, HEIC) and PDF files, each at most 195 kB."
    )
    assert re.search(r'id="files"[^>]*aria-describedby="files-error"', response.text)
    assert desk.count(Ticket) == 0

    renamed = ("files", ("scan.txt", TINY_PDF, "text/plain"))
    photo = ("files", ("leak.jpeg", TINY_JPEG, "application/octet-stream"))
    response = submit(desk.client, [renamed, photo], email="pdf@owner.example")
    assert response.status_code == 200, response.text
    raw = email.message_from_bytes(desk.raw_items()[-1], policy=policy.default)
    kept = {(part.get_filename(), part.get_content_type()) for part in raw.iter_attachments()}
    assert kept == {("scan.txt", "application/pdf"), ("leak.jpeg", "image/jpeg")}


def _image(fmt: str) -> bytes:
    """A small real image in ``fmt``, written by Pillow's own encoder."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 180, 160)).save(buffer, format=fmt)
    return buffer.getvalue()


HEIC = (
    struct.pack(">I", 28)
    + b"ftypheic"
    + b"\0\0\0\0"
    + b"mif1miafMiHBheic"
    + struct.pack(">I", 8)
    + b"meta"
)
"""The opening of an iPhone photo: an ISO base media file whose brand is heic."""


def test_photos_in_png_gif_webp_and_heic_are_accepted(desk):
    photos = {
        "image/png": _image("PNG"),
        "image/gif": _image("GIF"),
        "image/webp": _image("WEBP"),
        "image/heic": HEIC,
    }
    files = [
        ("files", (f"IMG_{i}.bin", data, "application/octet-stream"))
        for i, data in enumerate(photos.values())
    ]
    response = submit(desk.client, files)
    assert response.status_code == 200, error_of(response.text, "files")
    number = number_on(response.text)
    raw = email.message_from_bytes(desk.raw_items()[-1], policy=policy.default)
    kept = [(part.get_content_type(), part.get_content()) for part in raw.iter_attachments()]
    assert kept == list(photos.items())
    with desk.db.transaction() as session:
        stored = session.scalars(
            select(Attachment.content_type).join(Ticket).where(Ticket.number == number)
        )
        assert sorted(stored) == sorted(photos)
    bmp = ("files", ("scan.bmp", _image("BMP"), "image/bmp"))
    refused = submit(desk.client, [bmp], email="bmp@owner.example")
    assert refused.status_code == 422 and error_of(refused.text, "files")


def test_at_most_five_files(desk):
    six = [("files", (f"p{i}.jpg", TINY_JPEG, "image/jpeg")) for i in range(6)]
    response = submit(desk.client, six)
    assert response.status_code == 422
    assert error_of(response.text, "files") == STRINGS["en"]["too_many_files"]
    assert desk.count(Ticket) == 0
    five = six[:5]
    assert submit(desk.client, five, email="five@owner.example").status_code == 200
    raw = email.message_from_bytes(desk.raw_items()[-1], policy=policy.default)
    assert len(list(raw.iter_attachments())) == 5


def test_a_file_over_the_limit_is_refused(desk):
    big = TINY_JPEG + b"\0" * MAX_FILE
    response = submit(desk.client, [("files", ("big.jpg", big, "image/jpeg"))])
    assert response.status_code == 422
    assert error_of(response.text, "files")
    assert desk.count(Ticket) == 0


@pytest.mark.parametrize(
    ("limit", "lang", "error"),
    [
        (
            200_000,
            "en",
            "Only photos (JPEG, PNG, GIF, WebP, HEIC) and PDF files, each at most 195 kB.",
        ),
        (200_000, "es", "Solo fotos (JPEG, PNG, GIF, WebP, HEIC) y PDF, de 195 kB como máximo."),
        (200_000, "zh", "只接受照片（JPEG、PNG、GIF、WebP、HEIC）和 PDF 文件，每个不超过 195 kB。"),
        (
            512_000,
            "en",
            "Only photos (JPEG, PNG, GIF, WebP, HEIC) and PDF files, each at most 500 kB.",
        ),
        (1_572_864, "es", "Solo fotos (JPEG, PNG, GIF, WebP, HEIC) y PDF, de 1,5 MB como máximo."),
        (
            1_600_000,
            "en",
            "Only photos (JPEG, PNG, GIF, WebP, HEIC) and PDF files, each at most 1.5 MB.",
        ),
        (
            3 * 1_048_576,
            "zh",
            "只接受照片（JPEG、PNG、GIF、WebP、HEIC）和 PDF 文件，每个不超过 3 MB。",
        ),
    ],
)
def test_the_size_limit_is_shown_as_people_read_it(make_settings, limit, lang, error):
    """The limit in the owner's language, rounded down: a file as big as the limit passes."""
    desk = Desk(make_settings(storage={"max_attachment_bytes": limit}))
    try:
        big = TINY_JPEG + b"\0" * (limit + 1 - len(TINY_JPEG))
        response = submit(desk.client, [("files", ("big.jpg", big, "image/jpeg"))], lang=lang)
        assert response.status_code == 422
        assert error_of(response.text, "files") == error
        assert desk.count(Ticket) == 0
        shown = TINY_JPEG + b"\0" * (limit - len(TINY_JPEG))
        accepted = submit(desk.client, [("files", ("max.jpg", shown, "image/jpeg"))], lang=lang)
        assert accepted.status_code == 200, error_of(accepted.text, "files")
        assert desk.count(Ticket) == 1
    finally:
        desk.client.close()
        desk.db.dispose()


def test_oversized_body_is_refused_with_413(desk):
    huge = b"\xff\xd8\xff" + b"\0" * (5 * MAX_FILE + 1_000_000)
    response = submit(desk.client, [("files", ("huge.jpg", huge, "image/jpeg"))])
    assert response.status_code == 413
    assert_secure(response)
    assert "Traceback" not in response.text
    assert desk.count(Ticket) == 0 and desk.count(RawItem) == 0


def test_oversized_chunked_body_without_length_is_refused_with_413(desk):
    token, boundary = csrf(desk.client), "b0undary"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"'
            "\r\nContent-Type: image/jpeg\r\n\r\n"
        ).encode()
        chunk = b"\0" * 65536
        for _ in range((5 * MAX_FILE + 1_000_000) // len(chunk) + 2):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    content_type = f"multipart/form-data; boundary={boundary}"
    response = desk.client.post("/submit", content=body(), headers={"content-type": content_type})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert desk.count(RawItem) == 0


# --- errors and headers -------------------------------------------------------------------


def test_no_stack_trace_in_a_500(desk, monkeypatch):
    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(desk.pipeline, "receive", explode)
    response = submit(desk.client, lang="zh", description=LEAK_ZH)
    assert response.status_code == 500
    assert f'<p id="message">{STRINGS["zh"]["error"]}</p>' in response.text
    for leak in ("Traceback", "RuntimeError", "hunter2", "app.py", "explode"):
        assert leak not in response.text
    assert response.headers["content-type"].startswith("text/html")
    assert_secure(response)


def test_a_submission_the_pipeline_does_not_number_is_a_generic_500(desk, monkeypatch):
    from daemon.pipeline import Result

    monkeypatch.setattr(
        desk.pipeline, "receive", lambda *a, **k: Result(1, "quarantined", error="boom: x")
    )
    response = submit(desk.client)
    assert response.status_code == 500
    assert STRINGS["en"]["error"] in response.text and "boom" not in response.text


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/health", 200),
        ("GET", "/no/such/page", 404),
        ("PUT", "/submit", 405),
        ("POST", "/submit", 403),
        ("GET", "/status/C20260101-0001?t=abc", 404),
    ],
)
def test_security_headers_on_every_response(desk, method, path, status):
    response = desk.client.request(method, path)
    assert response.status_code == status
    assert_secure(response)
    csp = response.headers["content-security-policy"]
    assert "script-src" not in csp and "'unsafe-eval'" not in csp
    assert "default-src 'self'" in csp


def test_csrf_cookie_is_http_only_and_same_site(desk):
    cookies = desk.client.get("/").headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("complaintd_csrf="))
    assert "HttpOnly" in session and "SameSite=strict" in session


# --- the status page ----------------------------------------------------------------------


def test_status_token_mismatch_says_nothing_about_the_number(desk):
    number = number_on(submit(desk.client).text)
    token = status_token(desk.pipeline.secret, number)
    assert desk.client.get(f"/status/{number}?t={token}").status_code == 200
    other = number[:-4] + "9999"
    responses = [
        desk.client.get(f"/status/{number}?t={'a' * 16}"),
        desk.client.get(f"/status/{other}?t={'a' * 16}"),
        desk.client.get(f"/status/{other}?t={status_token(desk.pipeline.secret, other)}"),
        desk.client.get(f"/status/{number}"),
    ]
    assert {r.status_code for r in responses} == {404}
    bodies = {re.sub(r'name="csrf" value="[0-9a-f]+"', "", r.text) for r in responses}
    assert len(bodies) == 1, "the same page whether the number exists or not"
    assert number not in responses[0].text


def test_owner_adds_a_message_and_markup_stays_text(desk):
    number = number_on(submit(desk.client, description=f"{LEAK_EN} {SCRIPT}").text)
    token = status_token(desk.pipeline.secret, number)
    page = desk.client.get(f"/status/{number}?t={token}&lang=en")
    assert SCRIPT not in page.text
    form_token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)[1]

    data = {"csrf": form_token, "t": token, "message": f"Still dripping {SCRIPT}"}
    added = desk.client.post(f"/status/{number}?lang=en", data=data)
    assert added.status_code == 200
    assert 'id="added"' in added.text
    assert "Still dripping &lt;script&gt;alert(1)&lt;/script&gt;" in added.text
    assert SCRIPT not in added.text

    no_csrf = desk.client.post(f"/status/{number}", data={"t": token, "message": "x" * 20})
    assert no_csrf.status_code == 403
    wrong = desk.client.post(f"/status/{number}", data={**data, "t": "b" * 16})
    assert wrong.status_code == 404
    assert added.text.count("Still dripping") == 1


def test_status_page_shows_only_the_owners_own_messages(desk):
    number = number_on(submit(desk.client, email="ana@owner.example").text)
    stranger = EmailMessage()
    stranger["From"] = "someone.else@elsewhere.example"
    stranger["To"] = desk.settings.desk.address
    stranger["Subject"] = f"Re: [{number}] forwarded"
    stranger["Message-ID"] = "<forward-1@elsewhere.example>"
    stranger.set_content("Internal: the plumber says the owner caused the leak.")
    assert desk.pipeline.receive("test", "fwd-1", stranger.as_bytes()).outcome == "appended"
    token = status_token(desk.pipeline.secret, number)
    page = desk.client.get(f"/status/{number}?t={token}&lang=en").text
    assert "plumber" not in page
    assert "Your message" not in page


def test_status_page_shows_no_internal_notes_and_no_staff(make_settings):
    head, cs_head = "li.wei@desk.example", "zhang.min@desk.example"
    settings = make_settings(
        desk={"web_url": WEB_URL},
        departments={
            "engineering": {"head": head, "members": ["plumber.chen@desk.example"]},
            "customer_service": {"head": cs_head},
        },
    )
    desk = Desk(settings)
    try:
        number = number_on(submit(desk.client, description=LEAK_EN).text)
        [assignment] = [m for m in desk.outbox() if m["To"].addresses[0].addr_spec == head]

        def reply(body: str, key: str) -> None:
            raw = complaint(body, subject=f"Re: {assignment['Subject']}", sender=head)
            raw = raw.replace(
                b"To: complaints@desk.example", f"To: {assignment['Reply-To']}".encode()
            )
            assert desk.pipeline.receive("test", key, raw).outcome == "department_reply"

        reply("#accept", "accept")
        reply("#note The owner's own washing machine caused it; plumber Chen agrees.", "note")
        reply("We will send a plumber on Thursday morning.", "answer")
        calendar = BusinessCalendar.from_settings(settings.calendar, settings.desk.time_zone)
        opening = calendar.add_business_time(utcnow() + timedelta(days=14), timedelta(0))
        Scheduler(settings, desk.db).run_pass(opening + timedelta(hours=1))  # escalations
        with desk.db.transaction() as session:
            kinds = set(
                session.scalars(select(Event.kind).join(Ticket).where(Ticket.number == number))
            )
        assert {"note", "escalation"} <= kinds
        token = status_token(desk.pipeline.secret, number)
        page = desk.client.get(f"/status/{number}?t={token}&lang=en").text
        for secret in ("washing machine", "Chen", "plumber.chen", "li.wei", "Li Wei", "zhang.min"):
            assert secret.lower() not in page.lower(), secret
        assert STRINGS["en"]["status_title"] in page and "Answer sent to you" in page
    finally:
        desk.client.close()
        desk.db.dispose()
