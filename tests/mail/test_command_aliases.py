"""Every command alias the README's table of department commands promises is understood as its
command, in Chinese and Spanish, with the ASCII or the full-width ``＃``."""

from __future__ import annotations

import re

import pytest

from daemon.mail.commands import parse
from tests.paths import REPO

ROW = re.compile(r"^\| `#(\w+)[^`]*` \(([^)]*)\)")


def promised() -> list[tuple[str, str]]:
    pairs = []
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines():
        if match := ROW.match(line):
            name, aliases = match.groups()
            pairs += [(name, alias) for alias in re.findall(r"`#([^`\s]+)`", aliases)]
    return pairs


def test_the_readme_lists_aliases_for_every_department_command():
    names = {name for name, _ in promised()}
    assert {"accept", "resolved", "reassign", "extend", "cost", "note", "ask"} <= names


@pytest.mark.parametrize(("name", "alias"), promised())
@pytest.mark.parametrize("hash_sign", ["#", "＃"])
def test_each_alias_is_its_command(name, alias, hash_sign):
    commands, rest = parse(f"{hash_sign}{alias} 2\nthe rest of the answer")
    assert [c.name for c in commands] == [name]
    assert commands[0].argument == "2" and rest == "the rest of the answer"
