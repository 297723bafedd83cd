"""The owners' web form and status page (an ASGI app, served by ``complaintd web``).

A submission is stored as a raw item first and runs through the same pipeline as mail, so it
is numbered, classified, routed and acknowledged the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import datetime
from threading import Lock
from typing import Any

import filetype
import jinja2
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from daemon import i18n
from daemon.clock import utcnow
from daemon.config import CATEGORIES, KINDS, Settings
from daemon.intake.submission import Submission, to_message
from daemon.mail import tokens
from daemon.mail.templates import bundled_dir
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Ticket
from daemon.web.strings import PUBLIC_EVENTS, STATES, STRINGS, pick_language
from daemon.web.webhook import webhook_route

log = logging.getLogger(__name__)

MAX_FILES = 5
ALLOWED_TYPES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "application/pdf",
}
CSRF_COOKIE = "complaintd_csrf"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' "
    "'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class RateLimiter:
    """At most ``limit`` events per key within ``window`` seconds (in memory, per process).
    Timed by the daemon's clock, so a test can let the window pass."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.seen: dict[str, deque[float]] = defaultdict(deque)
        self.lock = Lock()

    def allow(self, key: str) -> bool:
        now = utcnow().timestamp()
        with self.lock:
            events = self.seen[key]
            while events and now - events[0] > self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True


class SecurityHeaders:
    """Pure ASGI middleware: the headers go on every response, errors included."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


class WebDesk:
    """The state the pages share: settings, pipeline, templates, limits and the CSRF key."""

    def __init__(self, settings: Settings, pipeline: Pipeline) -> None:
        self.settings = settings
        self.pipeline = pipeline
        self.db: Database = pipeline.db
        self.secret = pipeline.secret
        self.pages = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(bundled_dir() / "web")), autoescape=True
        )
        self.by_address = RateLimiter(10, 600)
        self.by_email = RateLimiter(5, 3600)
        self.max_file = settings.storage.max_attachment_bytes
        self.max_body = MAX_FILES * self.max_file + 1_000_000

    def csrf_token(self, session_id: str) -> str:
        return hmac.new(self.secret, f"csrf|{session_id}".encode(), hashlib.sha256).hexdigest()

    def render(self, request: Request, page: str, status: int = 200, **context: Any) -> Response:
        language = context.setdefault("lang", self.language(request))
        session_id = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(16)
        body = self.pages.get_template(f"{page}.html.j2").render(
            t=STRINGS[language],
            languages=list(STRINGS),
            csrf=self.csrf_token(session_id),
            desk=self.settings.desk,
            kind_names={k: _capital(i18n.kind_name(k, language)) for k in KINDS},
            category_names={c: _capital(i18n.category_name(c, language)) for c in CATEGORIES},
            **context,
        )
        response = HTMLResponse(body, status_code=status)
        response.set_cookie(CSRF_COOKIE, session_id, httponly=True, samesite="strict")
        response.set_cookie("lang", language, samesite="lax")
        return response

    @staticmethod
    def language(request: Request) -> str:
        return pick_language(
            request.query_params.get("lang"),
            request.cookies.get("lang"),
            request.headers.get("accept-language"),
        )

    def csrf_ok(self, request: Request, token: str) -> bool:
        session_id = request.cookies.get(CSRF_COOKIE, "")
        return bool(session_id) and hmac.compare_digest(self.csrf_token(session_id), token or "")


def _same_address(actor: str | None, owner: str | None) -> bool:
    return bool(actor and owner) and actor.strip().lower() == owner.strip().lower()


def _capital(name: str) -> str:
    return name[:1].upper() + name[1:]


async def _read_form(desk: WebDesk, request: Request) -> Any:
    try:
        length = int(request.headers.get("content-length") or 0)
    except ValueError:
        raise HTTPException(400) from None
    if length > desk.max_body:
        raise HTTPException(413)
    received = 0

    async def limited() -> dict:
        # A chunked body has no Content-Length: count what actually arrives.
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > desk.max_body:
            raise HTTPException(413)
        return message

    return await Request(request.scope, limited).form(
        max_files=MAX_FILES + 1, max_fields=40, max_part_size=desk.max_file
    )


async def _files(desk: WebDesk, uploads: list[Any], language: str) -> tuple[list, str | None]:
    """The uploaded files that pass, or the error to show under the field, in ``language``."""
    t = STRINGS[language]
    files = []
    uploads = [u for u in uploads if isinstance(u, UploadFile) and u.filename]
    if len(uploads) > MAX_FILES:
        return [], t["too_many_files"]
    for upload in uploads:
        data = await upload.read(desk.max_file + 1)
        kind = filetype.guess(data)
        if len(data) > desk.max_file or kind is None or kind.mime not in ALLOWED_TYPES:
            return [], t["bad_file"].format(size=i18n.format_size(desk.max_file, language))
        files.append((upload.filename, kind.mime, data))
    return files, None


def _validate(form: Any, t: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    values = {
        k: str(form.get(k, "")).strip()
        for k in ("name", "email", "phone", "building", "unit", "kind", "category", "description")
    }
    errors = {}
    for required in ("name", "email", "description"):
        if not values[required]:
            errors[required] = t["required"]
    if values["email"] and "email" not in errors:
        try:
            values["email"] = validate_email(values["email"], check_deliverability=False).normalized
        except EmailNotValidError as exc:
            errors["email"] = f"{t['bad_email']}: {exc}"
    if values["description"] and len(values["description"]) < 10:
        errors["description"] = t["too_short"]
    values["consent"] = "yes" if form.get("consent") else ""
    if not values["consent"]:
        errors["consent"] = t["consent_needed"]
    values["kind"] = values["kind"] if values["kind"] in KINDS else ""
    values["category"] = values["category"] if values["category"] in CATEGORIES else ""
    return values, errors


def build_app(settings: Settings, pipeline: Pipeline) -> Starlette:
    desk = WebDesk(settings, pipeline)

    async def form_page(request: Request) -> Response:
        return desk.render(
            request, "form", values={}, errors={}, kinds=KINDS, categories=CATEGORIES
        )

    async def submit(request: Request) -> Response:
        language = desk.language(request)
        t = STRINGS[language]
        form = await _read_form(desk, request)
        if not desk.csrf_ok(request, str(form.get("csrf", ""))):
            return desk.render(request, "error", 403, message=t["expired"])
        values, errors = _validate(form, t)
        files, file_error = await _files(desk, form.getlist("files"), language)
        if file_error:
            errors["files"] = file_error
        if form.get("website"):
            log.info("honeypot filled; submission from %s dropped", request.client.host)
            return desk.render(request, "done", number="-", email=values.get("email", ""))
        if errors:
            return desk.render(
                request,
                "form",
                422,
                values=values,
                errors=errors,
                kinds=KINDS,
                categories=CATEGORIES,
            )
        client = request.client.host if request.client else "unknown"
        if not (desk.by_address.allow(client) and desk.by_email.allow(values["email"].lower())):
            return desk.render(request, "error", 429, message=t["rate_limited"])
        submission = Submission(
            name=values["name"],
            email=values["email"],
            description=values["description"],
            phone=values["phone"],
            building=values["building"],
            unit=values["unit"],
            kind=values["kind"],
            category=values["category"],
            language=language,
            files=files,
        )
        raw = to_message(submission, settings.desk.address, "web")
        result = await run_in_threadpool(pipeline.receive, "web", uuid.uuid4().hex, raw)
        if not result.ticket:
            log.warning("web submission not turned into a ticket: %s", result.error)
            return desk.render(request, "error", 500, message=t["error"])
        return desk.render(request, "done", number=result.ticket, email=values["email"])

    def _ticket(number: str, token: str) -> dict | None:
        if not tokens.status_token_valid(desk.secret, number, token):
            return None
        with desk.db.transaction() as session:
            ticket = session.scalar(select(Ticket).where(Ticket.number == number))
            if ticket is None:
                return None
            return {
                "number": ticket.number,
                "status": ticket.status,
                "subject": ticket.subject,
                "owner_email": ticket.owner_email,
                "language": ticket.language,
                "deadlines": dict(ticket.deadlines or {}),
                "events": [
                    (e.at, e.kind, e.text if e.kind == "message" else "")
                    for e in ticket.events
                    if e.kind in PUBLIC_EVENTS
                    # anyone can write with the number in the subject: show the owner's own only
                    and (e.kind != "message" or _same_address(e.actor, ticket.owner_email))
                ],
            }

    def _status_context(found: dict, language: str) -> dict:
        zone = settings.desk.time_zone
        steps = i18n.step_names(language)
        deadlines = [
            (steps.get(step, step), i18n.format_when(datetime.fromisoformat(when), language, zone))
            for step, when in found["deadlines"].items()
            if step in ("feedback", "repair", "resolve")
        ]
        events = [
            (i18n.format_when(at, language, zone), PUBLIC_EVENTS[kind][language], text)
            for at, kind, text in found["events"]
        ]
        return {
            "ticket": found,
            "state": STATES.get(found["status"], {}).get(language, ""),
            "deadlines": deadlines,
            "events": events,
        }

    async def status_page(request: Request) -> Response:
        number = request.path_params["number"].upper()
        token = request.query_params.get("t", "")
        found = await run_in_threadpool(_ticket, number, token)
        language = desk.language(request)
        if found is None:
            return desk.render(request, "error", 404, message=STRINGS[language]["not_found"])
        return desk.render(
            request, "status", token=token, added=False, **_status_context(found, language)
        )

    async def status_post(request: Request) -> Response:
        number = request.path_params["number"].upper()
        language = desk.language(request)
        t = STRINGS[language]
        form = await _read_form(desk, request)
        token = str(form.get("t", ""))
        found = await run_in_threadpool(_ticket, number, token)
        if found is None:
            return desk.render(request, "error", 404, message=t["not_found"])
        if not desk.csrf_ok(request, str(form.get("csrf", ""))):
            return desk.render(request, "error", 403, message=t["expired"])
        files, file_error = await _files(desk, form.getlist("files"), language)
        text = str(form.get("message", "")).strip()
        if text or files:
            submission = Submission(
                name="",
                email=found["owner_email"] or settings.desk.address,
                description=text or "(photo)",
                subject=f"Re: [{number}]",
                files=files,
            )
            raw = to_message(submission, settings.desk.address, "web")
            await run_in_threadpool(pipeline.receive, "web", uuid.uuid4().hex, raw)
            found = await run_in_threadpool(_ticket, number, token)
        return desk.render(
            request,
            "status",
            token=token,
            added=bool(text or files),
            file_error=file_error,
            **_status_context(found, language),
        )

    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok")

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("web request failed: %s", exc)
        response = desk.render(
            request, "error", 500, message=STRINGS[desk.language(request)]["error"]
        )
        # Starlette answers unhandled exceptions outside the user middleware stack, so the
        # SecurityHeaders middleware never sees this response: add the headers here.
        response.headers.update(SECURITY_HEADERS)
        return response

    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = STRINGS[desk.language(request)]["error"]
        return desk.render(request, "error", exc.status_code, message=message)

    routes = [
        Route("/", form_page),
        Route("/submit", submit, methods=["POST"]),
        Route("/status/{number}", status_page),
        Route("/status/{number}", status_post, methods=["POST"]),
        Route("/health", health),
        webhook_route(settings, pipeline),
    ]
    return Starlette(
        debug=False,
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={Exception: server_error, HTTPException: http_error},
    )
