"""The reply step's quick look at the address headers never misses a plus address of the desk
that the full address check would find."""

from __future__ import annotations

import pytest

from daemon.mail import tokens
from daemon.mail.reading import address
from handlers.reply import _may_hold_token

DESK = "complaints@desk.example"


@pytest.mark.parametrize(
    "part",
    [
        "complaints+C20261123-0001.o.abcdefghijklmnop@desk.example",
        "Desk <COMPLAINTS+C20261123-0001.o.abcdefghijklmnop@DESK.example>",
        "complaints(comment)+x@desk.example",
        "<complaints (c) +x@desk.example>",
        '"complaints+x"@desk.example',
        "complaints@desk.example",
        "owner@example.com",
        "Desk <complaints@desk.example>",
        "客服 <complaints+x@desk.example>",
        "",
    ],
)
def test_quick_look_agrees_with_the_full_check(part):
    found = tokens.token_addresses([address(part)[1] or part.strip("<> ")], DESK)
    assert _may_hold_token([part], DESK) or not found


def test_plain_addresses_are_not_checked_one_by_one():
    parts = ["owner@example.com", "Desk <complaints@desk.example>", "a@b.example"]
    assert not _may_hold_token(parts, DESK)
