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
