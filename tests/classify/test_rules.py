"""The rule matcher: Chinese substrings, whole words, prefixes, weights, regexes and negations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from daemon.classify import rules

NEGATIONS = ({"no", "not", "nobody", "sin", "ni"}, {"没有", "没", "差点"})


def matcher(*terms: str, label: str = "severity.major", negations=NEGATIONS) -> rules.RuleSet:
    ruleset = rules.RuleSet(negations)
    for term in terms:
        ruleset.add(label, term)
    return ruleset


def total(ruleset: rules.RuleSet, text: str, distinct: bool = False) -> float:
    found = ruleset.hits(rules.normalize(text))
    return sum(rules.scores(found, distinct=distinct).values())


def test_normalize_lowercases_and_strips_accents_but_keeps_chinese():
    assert rules.normalize("Reparación URGENTE Ñandú") == "reparacion urgente nandu"
    assert rules.normalize("漏水？！") == "漏水?!"  # full-width punctuation folds to ASCII


def test_words_match_whole_words_only():
    ruleset = matcher("gas^3", label="category.repair")
    assert total(ruleset, "There is gas in the air") == 3
    assert total(ruleset, "The gasket and the Las Vegas trip") == 0
    assert total(ruleset, "GAS!") == 3


def test_accents_do_not_matter_on_either_side():
    ruleset = matcher("reparación^2", label="category.repair")
    assert total(ruleset, "Solicito REPARACION del grifo") == 2
    assert total(ruleset, "solicito reparación") == 2


def test_prefix_term_matches_any_ending():
    ruleset = matcher("gotera*^2", label="category.repair")
    assert total(ruleset, "Tengo goteras y una gotera más") == 4
    assert total(ruleset, "gotas") == 0


def test_phrases_match_consecutive_words_with_prefixes_inside():
    ruleset = matcher("defecto* de construccion^4", label="category.construction_quality")
    assert total(ruleset, "Son defectos de construcción claros") == 4
    assert total(ruleset, "defectos en la construcción") == 0


def test_chinese_terms_match_without_spaces():
    ruleset = matcher("漏水^2", "物业费^5", label="category.any")
    text = "我家卫生间漏水了另外物业费也多收了"
    assert total(ruleset, text) == 7


def test_a_negative_weight_cancels_the_shorter_term_inside_a_longer_one():
    ruleset = matcher("卫生^2", "卫生间^-2", label="category.property_service")
    assert total(ruleset, "卫生间漏水") == 0
    assert total(ruleset, "楼道卫生太差") == 2


def test_regex_terms_run_on_the_normalized_text():
    ruleset = matcher("/[0-9]\\s*(?:元|块)/^2", label="category.billing")
    assert total(ruleset, "多收了200元") == 2
    assert total(ruleset, "二百元") == 0


def test_repeated_terms_count_each_time_unless_distinct():
    ruleset = matcher("gas^3")
    text = "gas bill, gas meter, gas tariff"
    assert total(ruleset, text) == 9
    assert total(ruleset, text, distinct=True) == 3


def test_negation_just_before_cancels_severity_hits():
    ruleset = matcher("smell of gas^6", "受伤^6", "olor a gas^6")
    assert total(ruleset, "There is no smell of gas") == 0
    assert total(ruleset, "There is a smell of gas") == 6
    assert total(ruleset, "幸好没有受伤") == 0
    assert total(ruleset, "孩子受伤了") == 6
    assert total(ruleset, "Sin olor a gas") == 0


def test_negation_window_is_a_few_words_only():
    ruleset = matcher("smell of gas^6")
    assert total(ruleset, "no idea why but there is a smell of gas") == 6


def test_negation_does_not_reach_across_a_clause():
    ruleset = matcher("varios vecinos^4")
    assert total(ruleset, "Ni piscina ni parque. Varios vecinos firmamos") == 4
    assert total(ruleset, "ni varios vecinos") == 0
    zh = matcher("煤气味^6")
    assert total(zh, "没有漏水，煤气味很重") == 6
    assert total(zh, "没煤气味") == 0


def test_near_misses_count_as_not_happened():
    ruleset = matcher("砸到^5")
    assert total(ruleset, "差点砸到孩子") == 0


def test_negation_applies_to_severity_and_praise_not_to_other_kinds():
    praise = matcher("satisfech*^3", label="kind.praise")
    assert total(praise, "No estoy nada satisfecho") == 0
    complaint = matcher("nadie^2", label="kind.complaint")
    assert total(complaint, "No ha venido nadie") == 2  # Spanish doubles its negations


def test_hits_say_which_term_fired_and_whether_it_was_negated():
    ruleset = matcher("fire^5")
    [hit] = ruleset.hits(rules.normalize("not a fire risk"))
    assert hit.negated and str(hit) == "severity.major:fire^5 (negated)"


def test_the_same_term_again_replaces_its_weight_and_zero_switches_it_off():
    ruleset = matcher("press^4", "press^1")
    assert total(ruleset, "the press") == 1
    ruleset.add("severity.major", "press^0")
    assert total(ruleset, "the press") == 0


def test_load_merges_admin_extra_rules_into_the_defaults(tmp_path: Path):
    extra = {"category": {"billing": {"en": ["zorblax^9"]}}}
    sets = rules.load(None, extra)
    found = rules.scores(sets["category"].hits(rules.normalize("The zorblax went up")))
    assert found == {"billing": 9}
    own = tmp_path / "rules.toml"
    own.write_text('[category.design]\nen = ["gazebo^2"]\n', encoding="utf-8")
    sets = rules.load(own, {})
    assert rules.scores(sets["category"].hits("a gazebo")) == {"design": 2}
    assert rules.scores(sets["category"].hits("a leak")) == {}


@pytest.mark.parametrize("group", rules.GROUPS)
def test_bundled_rules_load_and_every_group_has_terms(group):
    sets = rules.load()
    ruleset = sets[group]
    assert ruleset.exact or ruleset.prefix or ruleset.cjk or ruleset.regexes


def test_normalize_strips_marks_also_next_to_characters_beyond_the_bmp():
    assert rules.normalize("Ñandú 😀 cafe\u0301") == "nandu 😀 cafe"
    assert rules.normalize("漏水\u0301") == "漏水"
    assert rules.normalize("gas\U0001d167leak") == "gasleak"  # a musical combining mark


def test_regex_terms_match_as_before_whatever_the_text_has_or_lacks():
    ruleset = matcher(
        "/[0-9]{2,} (?:flats|households)/^5",
        "/(?:techo|falso techo) se ha caido/^6",
        "/(?i)fire alarm/^2",  # flags: no quick look for needed words, searched everywhere
        "/[0-9]+x/^1",  # needs nothing telling: searched everywhere
        label="severity.major",
    )
    assert total(ruleset, "12 flats and 30 households") == 10
    assert total(ruleset, "12 flat") == 0
    assert total(ruleset, "el falso techo se ha caido") == 6
    assert total(ruleset, "FIRE ALARM") == 2
    assert total(ruleset, "3x and 4x") == 2


def test_needed_strings_of_a_regex():
    assert rules._needed(re.compile("[0-9]{4,}\\s*元")) == ("元",)
    assert rules._needed(re.compile("(?:techo|falso techo) (?:se cayo|se ha caido)")) == ("techo",)
    assert rules._needed(re.compile("[£$€] ?[0-9]{1,3}(?:,[0-9]{3})+")) == ("£", "$", "€")
    assert rules._needed(re.compile("(?i)water")) == ()
    assert rules._needed(re.compile("a?b*")) == ()


def test_a_matcher_gives_each_set_its_own_hits_and_sees_terms_added_later():
    sets = rules.load()
    matcher_ = rules.Matcher([sets[group] for group in rules.GROUPS])
    text = rules.normalize(
        "没有煤气味，但是卫生间漏水了。No gas smell, the tap is leaking! 12 flats"
    )
    assert matcher_.hits(text) == [sets[group].hits(text) for group in rules.GROUPS]
    sets["category"].add("category.design", "zorblax^9")
    assert rules.scores(matcher_.hits("a zorblax")[0]) == {"design": 9}


def test_hits_do_not_depend_on_what_the_matcher_remembers(monkeypatch):
    texts = [
        rules.normalize(text)
        for text in (
            "No gas smell, the tap is leaking",
            "没有煤气味，漏水了",
            "gas leak! gas leak!",
        )
    ]
    expected = [rules.Matcher([rules.load()["severity"]]).hits(text) for text in texts]
    monkeypatch.setattr(rules, "_CANDIDATE_CACHE_SIZE", 2)  # starts over all the time
    small = rules.Matcher([rules.load()["severity"]])
    assert [small.hits(text) for text in texts * 2] == expected * 2
