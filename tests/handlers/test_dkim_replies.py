"""``replies.require_dkim``: only Authentication-Results written by our own receiving server
(``replies.trusted_authserv_id``, the first header with that id, RFC 8601) make a department's
reply count as authenticated; whatever the sender wrote into the mail counts for nothing."""

from __future__ import annotations

import pytest

from daemon import config
from daemon.pipeline import Pipeline
from daemon.store.db import Database
from tests.handlers.test_replies import APPROVERS, CS_HEAD, HEAD, MEMBER, _leak, _mails, _ticket
from tests.mails import complaint

OUR_MX = "mx.desk.example"
GOOD = f"{OUR_MX}; dkim=pass (2048-bit key) header.d=desk.example header.s=s1; spf=pass"
ELSEWHERE = "mx.google.com; dkim=pass header.i=@desk.example; dmarc=pass header.from=desk.example"
FAILED = f"{OUR_MX}; dkim=fail header.d=desk.example; dmarc=fail header.from=desk.example"


@pytest.fixture
def desk(make_settings):
    settings = make_settings(
        desk={"address": "complaints@desk.example", "default_language": "zh"},
        departments={
            "engineering": {"head": HEAD, "members": [MEMBER], "language": "zh"},
            "customer_service": {"head": CS_HEAD},
        },
        replies={"approvers": APPROVERS, "require_dkim": True, "trusted_authserv_id": OUR_MX},
    )
    db = Database(settings.database.url)
    db.migrate()
    return Pipeline(settings, db)


def _accept(desk, assignment, key: str, *results: str):
    """``#accept`` from the head to the assignment's signed address, with these
    Authentication-Results headers, top (added last) first."""
    raw = complaint(
        "#accept",
        subject=f"Re: {assignment['Subject']}",
        sender=HEAD,
        headers={"In-Reply-To": assignment["Message-ID"]},
    ).replace(b"To: complaints@desk.example", f"To: {assignment['Reply-To']}".encode())
    added = b"".join(f"Authentication-Results: {value}\r\n".encode() for value in results)
    return desk.receive("test", key, added + raw)


def _outcome(desk, number, result):
    ticket, kinds = _ticket(desk, number)
    refused = [to for _, to, _ in _mails(desk, result.outbox_ids, "refused_attempt")]
    return ticket.status, "command_refused" in kinds, refused


@pytest.mark.parametrize(
    "header",
    [
        GOOD,
        # DMARC passes on SPF alignment although no DKIM signature verified.
        f"{OUR_MX}; dkim=none; spf=pass smtp.mailfrom=desk.example;"
        " dmarc=pass header.from=desk.example",
    ],
)
def test_our_servers_dkim_or_dmarc_pass_authenticates_the_head(desk, header):
    number, _, assignment = _leak(desk)
    result = _accept(desk, assignment, "good", header)
    assert result.outcome == "department_reply"
    assert _outcome(desk, number, result) == ("investigating", False, [])


@pytest.mark.parametrize(
    "headers",
    [
        # The sender's own header, naming the sender's server: not ours.
        ("corp.example; dkim=pass header.d=desk.example",),
        # Our server saw a failure; a pass below it, even under our id, was in the mail before.
        (FAILED, f"{OUR_MX}; dkim=pass header.d=desk.example"),
        # A pass from anyone else next to our server's failure.
        (
            FAILED,
            ELSEWHERE,
        ),
        # Our id inside a comment or as a property is not the authserv-id.
        (f"evil.example ({OUR_MX}); dkim=pass header.d=desk.example",),
        # Our server vouches for another domain than the sender's.
        (f"{OUR_MX}; dkim=pass header.d=evil.example",),
        (f"{OUR_MX}; dkim=none; dmarc=pass header.from=evil.example",),
        # SPF alone ties the envelope, not the From, to the domain.
        (f"{OUR_MX}; spf=pass smtp.mailfrom=desk.example; dmarc=fail header.from=desk.example",),
        # No results at all.
        (),
    ],
)
def test_results_the_sender_wrote_do_not_authenticate(desk, headers):
    number, _, assignment = _leak(desk)
    result = _accept(desk, assignment, "forged", *headers)
    assert result.outcome == "appended"
    assert _outcome(desk, number, result) == ("accepted", True, [CS_HEAD])


def test_require_dkim_without_the_trusted_authserv_id_is_a_config_error(tmp_path):
    path = tmp_path / "complaintd.toml"
    path.write_text("[replies]\nrequire_dkim = true\n", encoding="utf-8")
    with pytest.raises(config.ConfigError) as caught:
        config.load(path, environ={})
    assert "replies" in str(caught.value) and "trusted_authserv_id" in str(caught.value)
    path.write_text(f"[replies]\nrequire_dkim = true\ntrusted_authserv_id = '{OUR_MX}'\n")
    assert config.load(path, environ={}).replies.trusted_authserv_id == OUR_MX
