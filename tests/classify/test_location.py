"""Building, unit and room as written, in Chinese, Spanish and English."""

from __future__ import annotations

import pytest

from daemon.classify.location import extract


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("3栋2单元1502", {"building": "3", "unit": "2", "room": "1502"}),
        ("我住3号楼1单元802室", {"building": "3", "unit": "1", "room": "802"}),
        ("十二幢１２０３号房漏水", {"building": "十二", "room": "1203"}),
        ("Torre 2, 5ºB", {"building": "2", "room": "5ºB"}),
        ("Portal 3, 2º izq.", {"unit": "3", "room": "2º izq."}),
        ("Edificio nº 4, bajo A", {"building": "4", "room": "bajo A"}),
        ("Block 3, Unit 1502", {"building": "3", "room": "1502"}),
        ("BUILDING 9, ENTRANCE B, FLAT 12", {"building": "9", "unit": "B", "room": "12"}),
    ],
)
def test_places_as_written(text, place):
    assert extract(text) == place


def test_no_place_is_none():
    assert extract("The lift has been broken since Monday.") is None
    assert extract("电梯坏了三天了") is None
    assert extract("") is None


def test_chinese_comes_before_spanish_and_english():
    assert extract("Torre 5 / 3栋")["building"] == "3"
    assert extract("casa 2, building 7")["building"] == "2"


def test_letters_that_ignorecase_matches_count_as_their_ascii_ones():
    # re.IGNORECASE takes "ſ" for "s", "İ" and "ı" for "i", and the Kelvin sign for "k";
    # the quick look for the keyword before the search must not miss them.
    assert extract("CAſA 2") == {"building": "2"}
    assert extract("EDİFİCİO 4") == {"building": "4"}
    assert extract("edıfıcıo 4") == {"building": "4"}
    assert extract("BLOC\u212a 7") == {"building": "7"}


def test_spanish_floor_and_door_without_a_keyword():
    assert extract("vivo en el 3º-B desde 2019") == {"room": "3º-B"}
    assert extract("PISO 4O DCHA.") == {"room": "4O DCHA."}
