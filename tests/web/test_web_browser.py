"""The web form in a real browser: Playwright drives Debian's Chromium against
``complaintd web`` running as a process on a loopback port, sending mail to an aiosmtpd sink.

Screenshots go to a temporary folder; to refresh the ones README shows, run
``COMPLAINTD_SCREENSHOTS=docs/screenshots .venv/bin/python -m pytest \
tests/web/test_web_browser.py``.
"""

from __future__ import annotations

import base64
import email
import os
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import select

from daemon.config import Settings
from daemon.mail import outbox
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Outbox
from tests.browser import launch
from tests.e2e import (
    Process,
    running,
    smtp_section,
    sqlite_count,
    wait_until,
    write_config,
)
from tests.servers import LOOPBACK, ReceivedMessage, SmtpSink, free_port

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
OWNER = "wang@owner.example"
ENGINEERING_HEAD = "eng.head@desk.example"
LEAK = "您好，3栋2单元1502卫生间天花板漏水一个星期了，墙面发霉，请尽快派人维修。"
LEAK_ES = "Hola, el agua sale por el techo del baño desde hace dos días. Envíen a alguien."
SCRIPT = "<script>alert(1)</script>"
NUMBER = re.compile(r"^C\d{8}-\d{4}$")


@dataclass
class Web:
    """``complaintd web`` as a process: its URL, settings, log and the SMTP sink it sends to."""

    url: str
    settings: Settings
    process: Process
    sink: SmtpSink

    def count(self, table: str) -> int:
        return sqlite_count(self.settings, f"SELECT count(*) FROM {table}")

    def mail_to(self, address: str, containing: str, timeout: float = 15) -> EmailMessage:
        def find() -> ReceivedMessage | None:
            for received in self.sink.messages:
                if address in received.rcpt_tos and containing in text_of(received.message):
                    return received
            return None

        found = wait_until(find, timeout, f"mail to {address} with {containing!r}", self.process)
        return found.message


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    return part.get_content() if part is not None else ""


def html_parts(message: EmailMessage) -> list[str]:
    return [p.get_content() for p in message.walk() if p.get_content_type() == "text/html"]


def outbox_mails(web: Web) -> list[tuple[str, EmailMessage]]:
    """(purpose, mail) of every mail queued so far, as its recipient will get it."""
    db = Database(web.settings.database.url)
    try:
        with db.transaction() as session:
            return [
                (
                    row.purpose,
                    email.message_from_bytes(outbox.message_bytes(row), policy=policy.default),
                )
                for row in session.scalars(select(Outbox).order_by(Outbox.id))
            ]
    finally:
        db.dispose()


@pytest.fixture
def web(tmp_path: Path, make_settings: Any, smtp_sink: SmtpSink) -> Iterator[Web]:
    port = free_port()
    url = f"http://{LOOPBACK}:{port}"
    settings = make_settings(
        desk={"web_url": url, "name": "阳光花园物业 · Sunrise Gardens", "phone": "400-800-1234"},
        smtp=smtp_section(smtp_sink),
        departments={"engineering": {"head": ENGINEERING_HEAD}},
    )
    config = write_config(tmp_path / "complaintd.toml", settings)
    argv = ("web", "--host", LOOPBACK, "--port", str(port))
    with running(config, *argv, name="web") as process:

        def healthy() -> bool:
            try:
                return httpx.get(f"{url}/health", timeout=1, trust_env=False).text == "ok"
            except httpx.TransportError:
                return False

        wait_until(healthy, 30, "complaintd web's /health", process, interval=0.1)
        yield Web(url, settings, process, smtp_sink)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: $COMPLAINTD_SCREENSHOTS (e.g. docs/screenshots) or a temp folder."""
    folder = Path(os.environ.get("COMPLAINTD_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Watch:
    """Everything a page might do that it must not: dialogs (alert), uncaught errors."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def assert_quiet(self) -> None:
        assert self.dialogs == [], f"a script ran: {self.dialogs}"
        assert self.errors == []


def browser_jpeg(page: Any) -> bytes:
    """A small real JPEG, drawn and encoded by Chromium itself (on a blank page, before ours)."""
    data_url = page.evaluate(
        """() => { const c = document.createElement('canvas'); c.width = 64; c.height = 48;
        const g = c.getContext('2d'); g.fillStyle = '#d8dde2'; g.fillRect(0, 0, 64, 48);
        g.fillStyle = '#6b5a44'; g.beginPath(); g.ellipse(30, 20, 14, 9, 0, 0, 7); g.fill();
        return c.toDataURL('image/jpeg', 0.8); }"""
    )
    data = base64.b64decode(data_url.split(",", 1)[1])
    assert data[:3] == b"\xff\xd8\xff" and data[-2:] == b"\xff\xd9"
    return data


def screenshot(page: Any, path: Path) -> None:
    """A full-page PNG; the page must not scroll sideways (nothing wider than the screen)."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path.name}: the page is {overflow}px wider than the viewport"
    page.screenshot(path=str(path), full_page=True)
    png = path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    viewport = page.viewport_size
    scale = page.evaluate("() => window.devicePixelRatio")
    assert width == viewport["width"] * scale and height >= viewport["height"] * scale


def fill_form(page: Any, *, name: str, email: str, description: str, **more: str) -> None:
    page.fill("#name", name)
    page.fill("#email", email)
    for field, value in more.items():
        page.fill(f"#{field}", value)
    page.fill("#description", description)


def assert_no_script_elements(page: Any) -> None:
    assert page.locator("script").count() == 0


# --- the owner's journey --------------------------------------------------------------------


def test_chinese_owner_reports_a_leak_with_a_photo_and_follows_it_online(web, browser, shots):
    context = browser.new_context(locale="zh-CN", **DESKTOP)
    page = context.new_page()
    watch = Watch(page)
    photo = browser_jpeg(page)

    page.goto(web.url)
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.inner_text("h1") == "投诉与报修"
    assert page.get_attribute('nav a[aria-current="true"]', "lang") == "zh"
    fill_form(
        page,
        name="王女士",
        email=OWNER,
        description=LEAK,
        phone="138 0013 8000",
        building="3栋",
        unit="2单元1502",
    )
    page.set_input_files(
        "#files", files=[{"name": "天花板.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    page.check("#consent")
    screenshot(page, shots / "form-desktop-zh.png")
    page.fill("#description", f"{LEAK}{SCRIPT}")
    page.click("button[type=submit]")

    number = page.inner_text("#ticket-number")
    assert NUMBER.match(number), number
    assert "谢谢，您的诉求已登记" in page.inner_text("h1")
    assert OWNER in page.inner_text("main")
    screenshot(page, shots / "done-desktop-zh.png")
    assert web.count("tickets") == 1 and web.count("attachments") == 1

    ack = web.mail_to(OWNER, number)
    text = text_of(ack)
    assert "统一编号" in text and number in text, text
    assert "请尽快派人维修" not in text, "the owner's own words are not mailed back"
    link = re.search(rf"在线查看处理进度：({re.escape(web.url)}/status/\S+)", text)[1]
    assert any(link.replace("&", "&amp;") in html for html in html_parts(ack))

    assignment = web.mail_to(ENGINEERING_HEAD, number)
    assert SCRIPT in text_of(assignment), "the head reads exactly what the owner typed"
    assert OWNER not in text_of(assignment)

    page.goto(link)
    assert page.inner_text(".number") == number
    assert page.inner_text("#state") == "已受理"
    history = page.inner_text("#history")
    assert "收到您的诉求" in history and "已发送确认邮件" in history
    assert SCRIPT in page.inner_text("main"), "the script tag is shown as text"
    assert_no_script_elements(page)

    page.fill("#message", f"今天又漏了，地板也湿了。{SCRIPT.replace('1', '2')}")
    page.click("button[type=submit]")
    page.wait_for_selector("#added")
    assert page.inner_text("#added") == "您的留言已添加。"
    history = page.inner_text("#history")
    assert "您的留言" in history and "今天又漏了，地板也湿了。<script>alert(2)</script>" in history
    assert_no_script_elements(page)
    assert web.count("tickets") == 1

    assert web.count("events WHERE kind = 'message' AND text LIKE '今天又漏了%'") == 1
    for received in web.sink.messages:
        for html in html_parts(received.message):
            assert "<script" not in html.lower()
    watch.assert_quiet()
    context.close()


def test_validation_errors_sit_next_to_the_fields_and_keep_what_was_typed(web, browser):
    context = browser.new_context(locale="zh-CN", **DESKTOP)
    page = context.new_page()
    watch = Watch(page)
    page.goto(web.url)
    fill_form(page, name="王女士", email="wang@owner", description="漏水", building="3栋")
    page.check("#consent")
    page.click("button[type=submit]")

    page.wait_for_selector("#email-error")
    for field, error in (("email", "邮箱地址似乎有误"), ("description", "请简要描述问题")):
        assert page.get_attribute(f"#{field}", "aria-invalid") == "true"
        assert page.get_attribute(f"#{field}", "aria-describedby") == f"{field}-error"
        assert page.locator(f"#{field} + #{field}-error").is_visible(), field
        assert error in page.inner_text(f"#{field}-error")
    assert page.locator(".error").count() == 2
    assert page.input_value("#name") == "王女士"
    assert page.input_value("#email") == "wang@owner"
    assert page.input_value("#building") == "3栋"
    assert page.input_value("#description") == "漏水"
    assert page.is_checked("#consent")
    assert web.count("raw_items") == 0

    page.fill("#email", OWNER)
    page.fill("#description", LEAK)
    page.set_input_files(
        "#files",
        files=[{"name": "leak.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo" * 20}],
    )
    page.click("button[type=submit]")
    assert "只接受照片" in page.inner_text("#files-error")
    assert page.input_value("#description") == LEAK
    page.set_input_files("#files", files=[])
    page.click("button[type=submit]")
    assert NUMBER.match(page.inner_text("#ticket-number"))
    watch.assert_quiet()
    context.close()


# --- what the server refuses ----------------------------------------------------------------


def _form_fields(**more: str) -> dict[str, str]:
    return {
        "name": "王女士",
        "email": OWNER,
        "description": LEAK,
        "consent": "yes",
        **more,
    }


def test_post_without_csrf_token_is_refused_and_status_tokens_reveal_nothing(web):
    with (
        httpx.Client(base_url=web.url, trust_env=False) as owner,
        httpx.Client(base_url=web.url, trust_env=False) as other,
    ):
        bare = owner.post("/submit", data=_form_fields())
        assert bare.status_code == 403
        assert bare.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in bare.headers["content-security-policy"]

        page = owner.get("/?lang=zh")
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)[1]
        assert owner.post("/submit", data=_form_fields()).status_code == 403, "cookie, no token"
        foreign = re.search(r'name="csrf" value="([0-9a-f]+)"', other.get("/").text)[1]
        assert owner.post("/submit", data=_form_fields(csrf=foreign)).status_code == 403
        assert web.count("tickets") == 0 and web.count("raw_items") == 0

        accepted = owner.post("/submit?lang=zh", data=_form_fields(csrf=token))
        assert accepted.status_code == 200
        number = re.search(r'id="ticket-number">([^<]+)<', accepted.text)[1]

        missing = number[:-4] + "9999"
        responses = [
            other.get(f"/status/{number}", params={"t": "a" * 16, "lang": "zh"}),
            other.get(f"/status/{missing}", params={"t": "a" * 16, "lang": "zh"}),
            other.get(f"/status/{number}", params={"lang": "zh"}),
        ]
        assert [r.status_code for r in responses] == [404, 404, 404]
        assert len({r.text for r in responses}) == 1
        assert number not in responses[0].text
        assert "没有可显示的内容" in responses[0].text
        assert web.count("tickets") == 1


# --- an owner's HTML mail -------------------------------------------------------------------

HOSTILE_HTML = (
    "<html><head><style>p {{ color: red }}</style></head><body>"
    "<p>The heating in my flat has not worked since Monday, please send someone.</p>"
    '<script>alert(1)</script><img src=x onerror="alert(2)">'
    '<iframe src="javascript:alert(3)"></iframe><a href="javascript:alert(4)">link</a>'
    "<p>{words} &lt;script&gt;alert(5)&lt;/script&gt; &lt;b onmouseover=alert(6)&gt;</p>"
    "</body></html>"
)
DESK_ADDRESS = "complaints@desk.example"
LIVE_MARKUP = re.compile(r"<\s*(script|img|iframe|b\s|a\s+href=.javascript)", re.IGNORECASE)


def _html_mail(subject: str, words: str, headers: dict[str, str]) -> bytes:
    message = EmailMessage()
    message["From"] = f'"<img src=x onerror=alert(7)>" <{OWNER}>'
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="owner.example")
    for name, value in headers.items():
        message[name] = value
    message.set_content(HOSTILE_HTML.format(words=words), subtype="html")
    return message.as_bytes()


def test_an_owners_html_mail_is_text_in_every_mail_and_page(web, browser):
    db = Database(web.settings.database.url)
    pipeline = Pipeline(web.settings, db)
    try:
        first = _html_mail("<script>alert(8)</script> Heating", "I typed", {"To": DESK_ADDRESS})
        number = pipeline.receive("test", "first", first).ticket
        [ack] = [m for purpose, m in outbox_mails(web) if purpose == "ack"]
        link = re.search(r"(http://\S+/status/\S+)", text_of(ack))[1]
        follow_up = _html_mail(
            f"Re: {ack['Subject']}",
            "Still cold.",
            {"To": str(ack["Reply-To"]), "In-Reply-To": str(ack["Message-ID"])},
        )
        assert pipeline.receive("test", "follow-up", follow_up).ticket == number
    finally:
        db.dispose()

    mails = outbox_mails(web)
    assert {"ack", "assignment", "owner_message"} <= {purpose for purpose, _ in mails}
    for purpose, message in mails:
        for html in html_parts(message):
            assert not LIVE_MARKUP.search(html), (purpose, LIVE_MARKUP.search(html))
    [assignment] = [m for purpose, m in mails if purpose == "assignment"]
    assert "I typed <script>alert(5)</script>" in text_of(assignment), "shown as typed"

    context = browser.new_context(locale="en-GB", **DESKTOP)
    page = context.new_page()
    watch = Watch(page)
    page.goto(link)
    assert page.inner_text(".number") == number
    for live in ("script", "img", "iframe", "[onmouseover]", "[onerror]", "a[href^=javascript]"):
        assert page.locator(live).count() == 0, live
    assert "<script>alert(8)</script> Heating" in page.inner_text(".muted")
    assert "Still cold. <script>alert(5)</script>" in page.inner_text("#history")
    watch.assert_quiet()
    context.close()


# --- screenshots: phone, and the Spanish form -----------------------------------------------


def test_phone_and_spanish_screenshots(web, browser, shots):
    phone = browser.new_context(locale="zh-CN", **PHONE)
    page = phone.new_page()
    watch = Watch(page)
    page.goto(web.url)
    fill_form(page, name="王女士", email=OWNER, description=LEAK, building="3栋", unit="2单元1502")
    page.check("#consent")
    screenshot(page, shots / "form-phone-zh.png")
    page.tap("button[type=submit]")
    number = page.inner_text("#ticket-number")
    assert NUMBER.match(number)
    screenshot(page, shots / "done-phone-zh.png")
    link = re.search(r"(http://\S+/status/\S+)", text_of(web.mail_to(OWNER, number)))[1]
    page.goto(link)
    assert page.inner_text("#state") == "已受理"
    screenshot(page, shots / "status-phone-zh.png")
    watch.assert_quiet()
    phone.close()

    spanish = browser.new_context(locale="es-ES", **DESKTOP)
    page = spanish.new_page()
    watch = Watch(page)
    page.goto(web.url)
    assert page.get_attribute("html", "lang") == "es"
    assert page.inner_text("h1") == "Reclamaciones y solicitudes de reparación"
    fill_form(
        page,
        name="Ana García",
        email="ana.garcia@owner.example",
        description="fuga",
        building="Torre 2",
        unit="5ºB",
    )
    page.click("button[type=submit]")
    assert "al menos 10 caracteres" in page.inner_text("#description-error")
    assert "Acepte" in page.inner_text("#consent-error")
    screenshot(page, shots / "form-errors-desktop-es.png")
    page.fill("#description", LEAK_ES)
    page.check("#consent")
    page.click("button[type=submit]")
    number = page.inner_text("#ticket-number")
    assert "Gracias" in page.inner_text("h1")
    screenshot(page, shots / "done-desktop-es.png")
    ack = web.mail_to("ana.garcia@owner.example", number)
    assert "número" in text_of(ack)
    watch.assert_quiet()
    spanish.close()
