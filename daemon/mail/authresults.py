"""Authentication-Results (RFC 8601) that can be trusted: only those our own receiving server
wrote, recognised by its authserv-id. Anyone can write such a header into a mail; the receiving
server adds its own above what arrived, so the first header with its id is the one it wrote."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import authres
from authres.core import AuthenticationResult, AuthResError

log = logging.getLogger(__name__)

PASSING_METHODS = ("dkim", "dmarc")
"""Results that tie a mail to its sender's domain (SPF checks the envelope, not From)."""
_DOMAIN_PROPERTIES = {("header", "d"), ("header", "i"), ("header", "from")}


def trusted_results(headers: Iterable[object], authserv_id: str) -> list[AuthenticationResult]:
    """The results of the first Authentication-Results header whose authserv-id is ours; [] when
    there is none. Headers that cannot be parsed are skipped (their author is unknown)."""
    wanted = authserv_id.strip().lower()
    for value in headers:
        try:
            header = authres.AuthenticationResultsHeader.parse_value(str(value))
        except (AuthResError, ValueError) as exc:
            log.info("Authentication-Results not readable, skipped: %s", exc)
            continue
        if (header.authserv_id or "").lower() == wanted:
            return list(header.results)
    return []


def passes_for(results: Iterable[AuthenticationResult], domain: str) -> bool:
    """Whether DKIM or DMARC passed for ``domain`` (header.d, header.i or header.from)."""
    domain = domain.lower()
    for result in results:
        if result.method.lower() not in PASSING_METHODS or result.result.lower() != "pass":
            continue
        for prop in result.properties:
            if (prop.type.lower(), prop.name.lower()) not in _DOMAIN_PROPERTIES:
                continue
            if prop.value.lower().rpartition("@")[2] == domain:
                return True
    return False
