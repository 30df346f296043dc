"""Events: who did what to whom, where and when, planned or happened (issue 4)."""

from __future__ import annotations

import datetime as dt

import pytest

import storyline
from storyline.analyze import analyze
from storyline.analyze.events import date_near
from storyline.analyze.times import find_times
from storyline.model import Article, Event
from tests.conftest import DW_SEED, RFI_SEED, need


def _events(text: str, language: str, published: str) -> list[Event]:
    article = Article("a", "test", None, text, published, language, None)
    analyze([article])
    return article.events


def test_dw_seed_previews_a_planned_meeting_in_geneva() -> None:
    article, _ = storyline.analyze_file(need(DW_SEED))
    meeting = next(e for e in article.events if e.what == "meeting" and e.when == "2021-07-28")
    assert meeting.status == "planned" and meeting.where == "Geneva"
    assert {"Wendy Sherman", "Sergei Ryabkov"} <= set(meeting.who + meeting.whom)
    # the summit last month that set the talks up happened, in the past
    assert any(e.what in ("summit", "meeting") and e.when == "2021-06" and e.status == "happened" for e in article.events)


def test_rfi_seed_reports_the_meeting_and_plans_talks_in_september() -> None:
    article, _ = storyline.analyze_file(need(RFI_SEED))
    happened = [e for e in article.events if e.what == "meeting" and e.status == "happened"]
    assert happened and happened[0].where == "Geneva"
    assert {"Wendy Sherman", "Sergei Riabkov"} <= set(happened[0].who + happened[0].whom)
    assert any(e.what == "meeting" and e.when == "2021-09" and e.status == "planned" for e in article.events)


@pytest.mark.parametrize(
    ("language", "text", "what", "when", "status"),
    [
        ("fr", "Les négociateurs américains et russes se rencontreront mercredi prochain à Vienne, a annoncé le ministère.",
         "meeting", "2024-03-13", "planned"),
        ("de", "Die Hafenarbeiter in Hamburg streikten am Montag zum ersten Mal seit Jahren.", "strike", "2024-03-04", "happened"),
        ("es", "Un sismo de magnitud 7,1 sacudió el lunes la región de Arequipa, en el sur del Perú.", "earthquake", "2024-03-04", "happened"),
        ("ru", "Запуск спутника с космодрома Куру отложен на 48 часов из-за погоды.", "launch", None, "cancelled"),
        ("en", "The two leaders will sign the agreement in Montevideo on Thursday, officials said.", "agreement", "2024-03-07", "planned"),
    ],
)
def test_events_in_each_language(language: str, text: str, what: str, when: str | None, status: str) -> None:
    events = _events(text, language, "2024-03-06")  # a Wednesday
    event = next(e for e in events if e.what == what)
    assert (event.when, event.status) == (when, status)


def test_reporting_clauses_are_not_participants() -> None:
    events = _events("Wendy Sherman will meet Sergei Ryabkov in Geneva next week, the State Department said on Friday.", "en", "2021-07-24")
    (meeting,) = [e for e in events if e.what == "meeting"]
    assert set(meeting.who + meeting.whom) == {"Wendy Sherman", "Sergei Ryabkov"}
    assert meeting.status == "planned" and meeting.when == "2021-W30"


def test_a_word_outside_any_dated_clause_takes_the_sentences_most_precise_date() -> None:
    text = "Yesterday, at this year's developers conference, the chief executive unveiled a new phone."
    times = find_times(text, language="en", published=dt.date(2010, 6, 8))
    assert date_near(text, text.index("unveiled"), times) == "2010-06-07"
    # inside its clause the nearest date still wins, however coarse
    text = "The company was founded in 1976, and on Monday it unveiled a phone."
    times = find_times(text, language="en", published=dt.date(2010, 6, 8))
    assert date_near(text, text.index("founded"), times) == "1976"


# ---- issue 15: kinds from a documented inventory, matched as words, with status from tense and modality ----


def _kinds(text: str, language: str = "en", published: str = "2024-03-06") -> dict[str, str]:
    return {e.what: e.status for e in _events(text, language, published)}


def test_a_place_named_like_an_event_word_is_no_event() -> None:
    # "Brand" (fire) begins "Brandenburg": words are matched whole, German compounds by their head
    assert "fire" not in _kinds("Die Landesregierung in Brandenburg legte am Montag ihren Haushalt vor.", "de")
    assert "fire" in _kinds("Ein Waldbrand zerstörte am Montag 300 Hektar bei Potsdam.", "de")


def test_firing_a_person_is_a_dismissal_not_a_blaze() -> None:
    kinds = _kinds("The prime minister fired his finance minister on Tuesday.")
    assert "dismissal" in kinds and "fire" not in kinds
    assert "fire" in _kinds("A fire destroyed three warehouses in the port on Tuesday.")


def test_launching_an_investigation_is_no_launch() -> None:
    kinds = _kinds("Prosecutors launched an investigation into the bank on Monday.")
    assert "investigation" in kinds and "launch" not in kinds
    assert "launch" in _kinds("The rocket launched two weather satellites from the spaceport on Monday.")


@pytest.mark.parametrize(
    ("language", "text", "kind"),
    [
        ("en", "Floods swept through the valley after days of rain.", "flood"),
        ("en", "The hurricane made landfall near the coast overnight.", "storm"),
        ("en", "A shooting outside the school left two people wounded.", "attack"),
        ("en", "The minister resigned after the report was published.", "resignation"),
        ("en", "The council imposed new sanctions on the company's owners.", "sanctions"),
        ("fr", "Les inondations ont coupé les routes du département.", "flood"),
        ("de", "Der Minister trat nach dem Bericht zurück; sein Rücktritt kam überraschend.", "resignation"),
        ("es", "El huracán dejó inundaciones en la costa.", "storm"),
        ("ru", "Наводнение затопило несколько деревень.", "flood"),
    ],
)
def test_kinds_the_old_rules_missed(language: str, text: str, kind: str) -> None:
    assert kind in _kinds(text, language)


def test_an_expiry_is_no_event_that_happened() -> None:
    kinds = _kinds("The arms treaty between the two countries expires in February 2026.")
    assert kinds.get("agreement") != "happened"
    assert _kinds("The two countries signed the treaty in Prague in 2010.").get("agreement") == "happened"


def test_modality_and_topic_make_plans_not_facts() -> None:
    assert _kinds("The two governments plan to sign a trade agreement next year.").get("agreement") == "planned"
    # what talks are about has not happened yet
    kinds = _kinds("Officials held talks on Monday on a possible exchange of prisoners.")
    assert kinds.get("meeting") == "happened" and kinds.get("exchange") == "planned"
    assert _kinds("Both countries exchanged two prisoners each at the airport on Friday.").get("exchange") == "happened"


def test_a_negated_event_is_not_reported() -> None:
    assert "death" not in _kinds("No one was killed when the roof collapsed.")
