"""Signed reply addresses: every mail about a ticket says, in its Reply-To, which ticket and
which role it was sent for, with an HMAC that only the desk can make.

``complaints+C20261123-0007.d.k3jf8s2mq4ha7x0p@desk.example``: ticket, role (o owner,
d department, m manager/approver), and a signature over ticket, role and the recipient's
address, so a token is worth nothing from any other sender.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from daemon.config import Settings

ROLES = {"o": "owner", "d": "department", "m": "manager"}
_TOKEN = re.compile(r"^(?P<number>[A-Za-z0-9-]{1,40})\.(?P<role>[odm])\.(?P<sig>[a-z2-7]{16})$")
_TOKEN_NUMBER = re.compile(r"[a-z0-9-]{1,40}")


@dataclass(frozen=True)
class Token:
    number: str
    role: str
    recipient: str


def load_secret(settings: Settings) -> bytes:
    """The configured secret, or one made once and kept in ``replies.secret_file`` (mode 600)."""
    if settings.replies.secret is not None:
        return settings.replies.secret.get_secret_value().encode()
    path = Path(settings.replies.secret_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


def _signature(secret: bytes, number: str, role: str, recipient: str) -> str:
    message = f"{number.upper()}|{role}|{recipient.strip().lower()}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    # 16 base32 characters are exactly the first 10 bytes of the digest.
    return base64.b32encode(digest[:10]).decode().lower()


def reply_address(settings: Settings, secret: bytes, number: str, role: str, recipient: str) -> str:
    """The desk's address with the signed token in its local part (plus addressing)."""
    local, _, domain = settings.desk.address.partition("@")
    token = f"{number}.{role}.{_signature(secret, number, role, recipient)}"
    return f"{local}+{token}@{domain}"


def find(
    settings: Settings, secret: bytes, addresses: list[str], sender: str | None
) -> Token | None:
    """The valid token among our own addresses that a reply was sent to, checked against its
    sender; None when there is none, or when it was altered or sent by someone else."""
    local, _, domain = settings.desk.address.lower().partition("@")
    for address in addresses:
        head, _, their_domain = address.strip().strip("<>").rpartition("@")
        base, plus, token = head.partition("+")
        if not plus or base.lower() != local or their_domain.lower() != domain:
            continue
        match = _TOKEN.match(token.lower())
        if match is None or sender is None:
            return None
        number, role = match["number"].upper(), match["role"]
        expected = _signature(secret, number, role, sender)
        if hmac.compare_digest(expected, match["sig"]):
            return Token(number, ROLES[role], sender.lower())
        return None
    return None


def named_number(addresses: list[str], desk_address: str) -> str | None:
    """The ticket number a plus address of the desk names, signed or not: where a reply that
    fails the check is recorded. None when no address names one."""
    local, _, domain = desk_address.lower().partition("@")
    for address in addresses:
        head, _, their_domain = address.strip().strip("<>").lower().rpartition("@")
        base, plus, token = head.partition("+")
        if plus and base == local and their_domain == domain:
            number = token.partition(".")[0]
            if _TOKEN_NUMBER.fullmatch(number):
                return number.upper()
    return None


def token_addresses(addresses: list[str], desk_address: str) -> bool:
    """Whether any address is a plus address of the desk (signed or forged)."""
    local, _, domain = desk_address.lower().partition("@")
    for address in addresses:
        head, _, their_domain = address.strip().strip("<>").lower().rpartition("@")
        if head.startswith(local + "+") and their_domain == domain:
            return True
    return False


def status_token(secret: bytes, number: str) -> str:
    """The signature in an owner's status-page link; without it the page shows nothing."""
    return _signature(secret, number, "s", "status-page")


def status_token_valid(secret: bytes, number: str, token: str) -> bool:
    return hmac.compare_digest(status_token(secret, number), (token or "").lower())
