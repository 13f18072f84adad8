"""The bundled survey instruments: every file describes an instrument with a citation, and
scoring follows each publication's key (reverse-keyed items, sums, means, bands)."""

from __future__ import annotations

import pytest

from potato_like.study.instruments import (
    InstrumentError,
    instrument,
    instrument_ids,
    not_bundled,
    score,
)
from potato_like.study.instruments.model import parse_instrument

# Item counts of the published questionnaires (the same as Potato's instrument list).
ITEM_COUNTS = {
    "tipi": 10,
    "bfi-10": 10,
    "phq-9": 9,
    "phq-2": 2,
    "gad-7": 7,
    "gad-2": 2,
    "swls": 5,
    "pss-10": 10,
    "who-5": 5,
    "rse": 10,
    "k6": 6,
    "srh": 1,
    "pss-4": 4,
    "k10": 10,
    "ucla-loneliness-3": 3,
    "gse": 10,
    "brs": 6,
    "ces-d": 20,
    "mini-ipip": 20,
}


def answers(inst, labels: list[str]) -> dict[str, str]:
    return {item.id: label for item, label in zip(inst.items, labels, strict=True)}


def all_same(inst, label: str) -> dict[str, str]:
    return {item.id: label for item in inst.items}


def test_every_bundled_file_loads_with_citation_licence_and_published_item_count():
    assert set(instrument_ids()) == set(ITEM_COUNTS)
    for name, count in ITEM_COUNTS.items():
        inst = instrument(name)
        assert inst is not None and inst.id == name
        assert len(inst.items) == count, name
        assert inst.citation and inst.licence, name
        assert all(item.text for item in inst.items)
        assert [q["id"] for q in inst.questions()] == [i.id for i in inst.items]
    assert instrument("ghq-12") is None  # not bundled (licence): unknown here
    assert "licence" in not_bundled()["ghq-12"]
    assert not set(not_bundled()) & set(instrument_ids())
    assert len(instrument_ids()) + len(not_bundled()) == 55  # Potato's list, every one named


def test_tipi_reverse_keys_the_second_item_of_each_pair_and_averages():
    tipi = instrument("tipi")
    # Extraverted "Agree strongly" (7), Reserved "Disagree strongly" (1 -> 7): 7.0
    # Critical "Agree strongly" (7 -> 1), Sympathetic "Agree a little" (5): 3.0
    # Dependable 6, Disorganized "Disagree moderately" (2 -> 6): 6.0
    # Anxious "Agree moderately" (6 -> 2), Calm "Disagree a little" (3): 2.5
    # Open "Neither" (4), Conventional "Neither" (4 -> 4): 4.0
    labels = [
        "Agree strongly",  # 1 extraverted
        "Agree strongly",  # 2 critical (R)
        "Agree moderately",  # 3 dependable
        "Agree moderately",  # 4 anxious (R)
        "Neither agree nor disagree",  # 5 open
        "Disagree strongly",  # 6 reserved (R)
        "Agree a little",  # 7 sympathetic
        "Disagree moderately",  # 8 disorganized (R)
        "Disagree a little",  # 9 calm
        "Neither agree nor disagree",  # 10 conventional (R)
    ]
    got = score(tipi, answers(tipi, labels))
    assert got == {
        "extraversion": {"value": 7},
        "agreeableness": {"value": 3},
        "conscientiousness": {"value": 6},
        "emotional_stability": {"value": 2.5},
        "openness": {"value": 4},
    }


def test_bfi10_keys_follow_the_publication():
    bfi = instrument("bfi-10")
    # Agreeing strongly with everything: every scale has one reverse-keyed item, (5 + 1) / 2.
    got = score(bfi, all_same(bfi, "Agree strongly"))
    assert {k: v["value"] for k, v in got.items()} == dict.fromkeys(got, 3)
    # Reserved: disagree strongly (1 -> 5); outgoing: agree strongly (5): extraversion 5.
    # Trusting: agree a little (4); finds fault: agree a little (4 -> 2): agreeableness 3.
    labels = ["Disagree strongly", "Agree a little"] + ["Agree strongly"] * 3
    labels += ["Agree strongly", "Agree a little"] + ["Agree strongly"] * 3
    got = score(bfi, answers(bfi, labels))
    assert got["extraversion"] == {"value": 5}
    assert got["agreeableness"] == {"value": 3}
    reversed_items = [i.id for i in bfi.items if i.reverse]
    assert reversed_items == ["bfi10_1", "bfi10_3", "bfi10_4", "bfi10_5", "bfi10_7"]


@pytest.mark.parametrize(
    "name, label, value, band",
    [
        ("phq-9", "Not at all", 0, "minimal"),
        ("phq-9", "Several days", 9, "mild"),
        ("phq-9", "More than half the days", 18, "moderately severe"),
        ("phq-9", "Nearly every day", 27, "severe"),
        ("gad-7", "Several days", 7, "mild"),
        ("gad-7", "More than half the days", 14, "moderate"),
        ("gad-7", "Nearly every day", 21, "severe"),
        ("phq-2", "Several days", 2, "negative screen"),
        ("phq-2", "More than half the days", 4, "positive screen"),
        ("gad-2", "Nearly every day", 6, "positive screen"),
        ("swls", "Neither agree nor disagree", 20, "neutral"),
        ("swls", "Strongly agree", 35, "extremely satisfied"),
        ("swls", "Strongly disagree", 5, "extremely dissatisfied"),
        ("k6", "Some of the time", 12, "below the serious mental illness cut-off"),
        ("k6", "Most of the time", 18, "probable serious mental illness"),
        ("k10", "None of the time", 10, "low"),
        ("k10", "Some of the time", 30, "very high"),
    ],
)
def test_sum_scores_and_published_bands(name, label, value, band):
    inst = instrument(name)
    assert score(inst, all_same(inst, label)) == {"total": {"value": value, "band": band}}


def test_pss10_reverse_scores_items_4_5_7_8():
    pss = instrument("pss-10")
    # "Very often" (4) everywhere: six items count 4, the four positive ones count 0.
    assert score(pss, all_same(pss, "Very often")) == {"total": {"value": 24}}
    assert score(pss, all_same(pss, "Never")) == {"total": {"value": 16}}


def test_rse_reverse_scores_the_negative_items():
    rse = instrument("rse")
    # Agreeing strongly with everything: five positive items 3 each, five negative 0 each.
    assert score(rse, all_same(rse, "Strongly agree")) == {"total": {"value": 15}}
    positive = ["Strongly agree" if not i.reverse else "Strongly disagree" for i in rse.items]
    assert score(rse, answers(rse, positive)) == {"total": {"value": 30}}


def test_who5_percentage_is_four_times_the_raw_sum():
    who = instrument("who-5")
    got = score(who, all_same(who, "Less than half of the time"))  # 2 x 5 = 10
    assert got == {
        "raw": {"value": 10},
        "percentage": {"value": 40, "band": "poor wellbeing"},
    }
    got = score(who, all_same(who, "At no time"))
    assert got["percentage"] == {"value": 0, "band": "likely depression"}


def test_an_unanswered_or_unknown_answer_gives_no_score_rather_than_a_low_one():
    phq = instrument("phq-9")
    partial = all_same(phq, "Nearly every day")
    del partial["phq9_9"]
    assert score(phq, partial) == {"total": None}
    wrong = {**all_same(phq, "Nearly every day"), "phq9_1": "Sometimes"}
    assert score(phq, wrong) == {"total": None}
    assert score(phq, {}) == {"total": None}


def test_a_broken_instrument_file_is_refused():
    good = {
        "id": "x",
        "name": "X",
        "citation": "c",
        "licence": "l",
        "question_type": "radio",
        "scale": [{"label": "a", "value": 0}, {"label": "b", "value": 1}],
        "items": [{"id": "x_1", "text": "t"}],
        "scores": {"total": None},
    }
    assert parse_instrument(good, "x.yaml").scores[0].items == ("x_1",)
    with pytest.raises(InstrumentError, match="do not exist"):
        parse_instrument({**good, "scores": {"total": {"items": [2]}}}, "x.yaml")
    with pytest.raises(InstrumentError, match="method"):
        parse_instrument({**good, "scores": {"total": {"method": "median"}}}, "x.yaml")
    with pytest.raises(InstrumentError, match="distinct"):
        parse_instrument({**good, "scale": [{"label": "a", "value": 0}] * 2}, "x.yaml")
    with pytest.raises(InstrumentError):
        parse_instrument({k: v for k, v in good.items() if k != "citation"}, "x.yaml")


def test_short_forms_and_means():
    pss4 = instrument("pss-4")
    # "Very often" everywhere: items 1 and 4 count 4, the reverse-keyed 2 and 3 count 0.
    assert score(pss4, all_same(pss4, "Very often")) == {"total": {"value": 8}}
    ucla = instrument("ucla-loneliness-3")
    assert score(ucla, all_same(ucla, "Often")) == {"total": {"value": 9}}
    gse = instrument("gse")
    assert score(gse, all_same(gse, "Exactly true")) == {"total": {"value": 40}}
    brs = instrument("brs")
    # Agree (4) everywhere: three items 4, three reverse-keyed 2: mean 3.
    assert score(brs, all_same(brs, "Agree")) == {"total": {"value": 3}}
    resilient = ["Strongly agree", "Disagree", "Agree", "Strongly disagree", "Agree", "Disagree"]
    # 5, 4, 4, 5, 4, 4 -> 26 / 6
    assert score(brs, answers(brs, resilient)) == {"total": {"value": 4.3333}}


def test_cesd_reverse_keys_the_four_positive_items_and_uses_the_cut_off_16():
    cesd = instrument("ces-d")
    most = "Most or all of the time (5-7 days)"
    # 16 items count 3, the four positive ones 0: 48.
    assert score(cesd, all_same(cesd, most)) == {
        "total": {"value": 48, "band": "at or above the cut-off (depressive symptoms)"}
    }
    rarely = "Rarely or none of the time (less than 1 day)"
    assert score(cesd, all_same(cesd, rarely))["total"]["value"] == 12


def test_mini_ipip_scales_mix_two_forward_and_two_reverse_items_except_imagination():
    ipip = instrument("mini-ipip")
    got = score(ipip, all_same(ipip, "Very accurate"))  # 5 everywhere
    assert {k: v["value"] for k, v in got.items()} == {
        "extraversion": 3,
        "agreeableness": 3,
        "conscientiousness": 3,
        "neuroticism": 3,  # 4 and 14 forward, 9 and 19 reversed
        "intellect_imagination": 2,  # only item 5 forward: (5 + 1 + 1 + 1) / 4
    }
