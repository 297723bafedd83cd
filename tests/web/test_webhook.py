"""The inbound webhook on a tiny Starlette app: HMAC signatures, idempotent replays, limits."""

from __future__ import annotations

import base64
import email
import json
from collections.abc import Callable, Iterator
from email import policy

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from daemon.config import FeedSettings, Settings, WebhookSettings
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from daemon.store.models import Attachment, RawItem, Ticket
from daemon.web.webhook import SIGNATURE_HEADER, sign, webhook_route
from tests.intake.test_feeds import TOKEN, FormService

SECRET = b"hook-secret-for-tests"
FIELDS = {
    "name": "owner.name",
    "email": "owner.email",
    "description": "answers.message",
    "building": "answers.building",
}


@pytest.fixture
def hook(make_settings: Callable[..., Settings]):
    """Build (client, pipeline) for a webhook configuration; feeds may lend their mapping."""
    clients: list[TestClient] = []

    def build(
        webhook: dict | None = None, feeds: list[dict] = (), **sections
    ) -> tuple[TestClient, Pipeline]:
        settings = make_settings(**sections)
        settings.feeds = [FeedSettings.model_validate(feed) for feed in feeds]
        if webhook is not None:
            settings.webhook = WebhookSettings.model_validate(
                {"secret": SECRET.decode(), "fields": FIELDS, **webhook}
            )
        db = Database(settings.database.url)
        db.migrate()
        pipeline = Pipeline(settings, db)
        client = TestClient(Starlette(routes=[webhook_route(settings, pipeline)]))
        clients.append(client)
        return client, pipeline

    yield build
    for client in clients:
        client.close()


def payload(number: int = 1, **extra) -> bytes:
    body = {
        "event_id": f"evt-{number}",
        "id": f"resp-{number}",
        "owner": {"name": "王女士", "email": f"wang{number}@owner.example"},
        "answers": {"message": "3栋2单元1502卫生间天花板漏水一个星期了。", "building": "3栋"},
        **extra,
    }
    return json.dumps(body, ensure_ascii=False).encode()


def post(client: TestClient, body: bytes, name: str = "forms", signature: str | None = None):
    headers = {"Content-Type": "application/json"}
    headers[SIGNATURE_HEADER] = sign(SECRET, body) if signature is None else signature
    return client.post(f"/hooks/{name}", content=body, headers=headers)


def counts(pipeline: Pipeline) -> tuple[int, int]:
    with pipeline.db.transaction() as session:
        return (
            session.scalar(select(func.count()).select_from(RawItem)),
            session.scalar(select(func.count()).select_from(Ticket)),
        )


def test_signed_submission_becomes_a_ticket_and_a_replay_the_same_one(hook):
    client, pipeline = hook({})
    response = post(client, payload())
    assert response.status_code == 202
    answer = response.json()
    assert answer["outcome"] == "ticket_created" and answer["ticket"].startswith("C")
    with pipeline.db.transaction() as session:
        ticket = session.scalar(select(Ticket))
        raw = session.scalar(select(RawItem))
        assert (ticket.number, ticket.owner_email, ticket.owner_name) == (
            answer["ticket"],
            "wang1@owner.example",
            "王女士",
        )
        assert (ticket.channel, ticket.language, ticket.building) == ("web", "zh", "3")
        assert (raw.source, raw.source_key) == ("webhook:forms", "resp-1")

    again = post(client, payload())
    assert again.status_code == 202 and again.json() == answer
    # same submission id, body changed (a new delivery attempt with another event id)
    changed = post(client, payload(event_id="evt-retry"))
    assert changed.status_code == 202 and changed.json()["ticket"] == answer["ticket"]
    assert counts(pipeline) == (1, 1)

    second = post(client, payload(2))
    assert second.json()["ticket"] != answer["ticket"]
    assert counts(pipeline) == (2, 2)


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "sha256=" + "0" * 64,
        sign(b"another secret", payload()),
        sign(SECRET, payload())[7:],  # without the sha256= prefix
        "sha256=ünïcode".encode("latin-1"),
    ],
)
def test_a_bad_signature_is_refused_without_detail(hook, signature):
    client, pipeline = hook({})
    headers = {SIGNATURE_HEADER: signature} if signature else {}
    response = client.post("/hooks/forms", content=payload(), headers=headers)
    assert response.status_code == 401
    assert response.content == b""
    assert counts(pipeline) == (0, 0)


def test_signature_over_another_body_is_refused(hook):
    client, pipeline = hook({})
    response = post(client, payload(2), signature=sign(SECRET, payload(1)))
    assert response.status_code == 401
    assert counts(pipeline) == (0, 0)


def test_body_over_the_limit_is_refused(hook):
    client, pipeline = hook({"max_body_bytes": 2048})
    big = payload(answers={"message": "x" * 4096})
    assert post(client, big).status_code == 413
    # also when the sender does not declare a length (chunked)
    response = client.post(
        "/hooks/forms",
        content=iter([big[:1000], big[1000:]]),
        headers={SIGNATURE_HEADER: sign(SECRET, big)},
    )
    assert response.status_code == 413
    assert counts(pipeline) == (0, 0)


def test_without_webhook_section_or_with_a_bad_name_there_is_nothing(hook):
    client, _ = hook(None)
    assert post(client, payload()).status_code == 404
    client, _ = hook({})
    assert post(client, payload(), name="x" * 60).status_code == 404
    assert client.get("/hooks/forms").status_code == 405


def test_without_an_id_the_body_digest_is_the_key(hook):
    client, pipeline = hook({"id_field": "no.such.field"})
    first = post(client, payload())
    assert post(client, payload()).json() == first.json()
    with pipeline.db.transaction() as session:
        assert session.scalar(select(RawItem.source_key)).startswith("sha256:")
    assert counts(pipeline) == (1, 1)


def test_missing_email_or_bad_json_is_recorded_in_quarantine(hook):
    client, pipeline = hook({})
    body = json.dumps({"id": "r9", "answers": {"message": "Leak in the ceiling"}}).encode()
    response = post(client, body)
    assert response.status_code == 202
    assert response.json() == {"ticket": None, "outcome": "quarantined"}
    assert post(client, b"not json {").json()["outcome"] == "quarantined"
    with pipeline.db.transaction() as session:
        rows = session.scalars(select(RawItem).order_by(RawItem.id)).all()
        assert [r.status for r in rows] == ["quarantined", "quarantined"]
        kept = [
            email.message_from_bytes(row.raw, policy=policy.default)
            .get_payload()[1]
            .get_payload(decode=True)
            for row in rows
        ]
        assert json.loads(kept[0]) == {"id": "r9", "answers": {"message": "Leak in the ceiling"}}
        assert json.loads(kept[1]) == "not json {"
    assert counts(pipeline) == (2, 0)


@pytest.fixture
def form_service() -> Iterator[FormService]:
    server = FormService().start()
    try:
        yield server
    finally:
        server.stop()


def test_a_feeds_mapping_and_auth_are_reused_by_name(hook, form_service):
    photo = b"\xff\xd8\xff\xe0" + b"1" * 500
    form_service.files["p.jpg"] = photo
    feed = {
        "name": "typeform",
        "url": f"{form_service.base}/api/submissions",
        "auth_header": "Authorization",
        "auth_value": TOKEN,
        "id_field": "token",
        "fields": {"email": "hidden.email", "description": "answers.0.text"},
        "files_field": "answers.1.files",
    }
    client, pipeline = hook({}, feeds=[feed])
    body = json.dumps(
        {
            "token": "tf-1",
            "hidden": {"email": "li@owner.example"},
            "answers": [
                {"text": "The window in the kitchen of Block 3 is broken."},
                {
                    "files": [
                        {"filename": "p.jpg", "url": f"{form_service.base}/files/p.jpg"},
                        {"filename": "n.txt", "data": base64.b64encode(b"note").decode()},
                    ]
                },
            ],
        }
    ).encode()
    response = post(client, body, name="typeform")
    assert response.status_code == 202 and response.json()["outcome"] == "ticket_created"
    with pipeline.db.transaction() as session:
        ticket = session.scalar(select(Ticket))
        assert (ticket.owner_email, ticket.language, ticket.building) == (
            "li@owner.example",
            "en",
            "3",
        )
        names = sorted(a.filename for a in session.scalars(select(Attachment)))
        assert names == ["n.txt", "p.jpg"]
        assert session.scalar(select(RawItem.source_key)) == "tf-1"
    assert form_service.requests[0][2]["Authorization"] == TOKEN

    # [webhook] feed = "typeform": every other name uses that mapping too
    client, pipeline = hook({"feed": "typeform"}, feeds=[feed])
    assert post(client, body, name="other").json()["outcome"] == "ticket_created"
    with pipeline.db.transaction() as session:
        assert session.scalar(select(RawItem.source)) == "webhook:other"
