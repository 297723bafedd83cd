"""Inbound webhook: form services push a submission to ``POST /hooks/{name}``.

The body is the submission as JSON, signed with ``X-Complaintd-Signature: sha256=<hex>``,
the HMAC-SHA256 of the raw body under ``webhook.secret``. It is mapped like a feed's items
(the feed named ``{name}`` or ``webhook.feed`` lends its mapping, else ``[webhook]``'s own)
and recorded under the source ``webhook:{name}`` with the submission's id as key, so a
replay returns the same ticket instead of making a second one.

Answers: 202 ``{"ticket": ..., "outcome": ...}``; 401 (no detail) for a missing or wrong
signature; 413 for a body over ``webhook.max_body_bytes``; 404 when webhooks are off.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from daemon.config import FieldMapping, Settings
from daemon.intake.feeds import (
    FeedError,
    FileFetcher,
    auth_headers,
    item_key,
    make_client,
    make_message,
)
from daemon.store.models import RawItem

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Complaintd-Signature"
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")


def sign(secret: bytes, body: bytes) -> str:
    """The header value a sender puts on ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_ok(secret: bytes, body: bytes, header: str | None) -> bool:
    if not header or not secret:
        return False
    expected = sign(secret, body).encode("ascii")
    given = header.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(expected, given)


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The raw body, or None as soon as it is bigger than ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def webhook_route(settings: Settings, pipeline: Any) -> Route:
    """``POST /hooks/{name}`` recording signed submissions through ``pipeline``."""
    fetchers: dict[str, FileFetcher] = {}
    feeds = {feed.name: feed for feed in settings.feeds}

    def mapping_for(name: str) -> tuple[FieldMapping, FileFetcher]:
        hook = settings.webhook
        feed = feeds.get(name) or (feeds.get(hook.feed) if hook.feed else None)
        mapping: FieldMapping = feed or hook
        label = feed.name if feed else ""
        if label not in fetchers:
            limit = settings.storage.max_attachment_bytes
            if feed is not None:
                fetcher = FileFetcher(
                    make_client(feed), limit, auth_headers(feed), feed.url, feed.auth_file_hosts
                )
            else:
                fetcher = FileFetcher(httpx.Client(timeout=httpx.Timeout(20.0)), limit)
            fetchers[label] = fetcher
        return mapping, fetchers[label]

    def record(name: str, body: bytes) -> JSONResponse:
        mapping, fetcher = mapping_for(name)
        try:
            item: Any = json.loads(body)
        except ValueError:
            item = body.decode("utf-8", "replace")
        key = item_key(item, mapping.id_field) if isinstance(item, dict) else ""
        if key.startswith("sha256:") or not key:
            key = "sha256:" + hashlib.sha256(body).hexdigest()
        raw = make_message(settings, mapping, key, item, fetcher)
        result = pipeline.receive(f"webhook:{name}", key, raw, size=len(raw))
        ticket = result.ticket
        if ticket is None and result.repeated:
            with pipeline.db.transaction() as session:
                row = session.get(RawItem, result.raw_item_id)
                ticket = row.ticket.number if row is not None and row.ticket else None
        return JSONResponse({"ticket": ticket, "outcome": result.outcome}, status_code=202)

    async def receive_hook(request: Request) -> Response:
        hook = settings.webhook
        name = request.path_params["name"]
        if hook is None or not NAME.match(name):
            return Response(status_code=404)
        body = await _read_body(request, hook.max_body_bytes)
        if body is None:
            return Response(status_code=413)
        secret = hook.secret.get_secret_value().encode("utf-8") if hook.secret else b""
        if not signature_ok(secret, body, request.headers.get(SIGNATURE_HEADER)):
            log.warning("webhook %s: request without a valid signature refused", name)
            return Response(status_code=401)
        try:
            return await run_in_threadpool(record, name, body)
        except FeedError as exc:
            log.warning("webhook %s: attachment not available now (%s); sender to retry", name, exc)
            return Response(status_code=503, headers={"Retry-After": "60"})

    return Route("/hooks/{name}", receive_hook, methods=["POST"])
