"""Clean stage: seeds, boilerplate, metadata, encodings (issue 3)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import storyline
from storyline.clean import clean
from storyline.clean.outlets import OutletNames
from storyline.clean.scraped import extract_scraped, reflow, split_paragraphs
from storyline.ingest import content_id
from storyline.model import Given, RawDocument
from tests.conftest import DW_SEED, RFI_SEED, need, run_cli

# Lines of page furniture in the seeds that must not survive cleaning.
DW_FURNITURE = [
    "Visit the new DW website",
    "Take a look at the beta version",
    "Inhalt",
    "Metanavigation",
    "Choose from 30 Languages",
    "Russian flag at the US Embassy in Moscow",
    "The two countries have ramped up diplomatic engagement in recent months",
    "Watch video 02:09",
    "Russian Duma votes to extend",
    "Watch video 00:50",
    "Election meddling accusations are 'just blabber'",
    "wd/sri",
    "| News | DW |",
]
RFI_FURNITURE = [
    "REUTERS - HANDOUT",
    "Text by: RFI",
    "2 min",
    "Read more",
    "See also",
    "Receive all international news",
    "I subscribe",
    "downloading the RFI application",
    "• United States",
    "On the same subject",
    "Biden calls on Putin to act against cyberattacks",
    "US mission in Afghanistan failed",
]


def test_dw_seed_metadata_and_body() -> None:
    article = storyline.extract(need(DW_SEED))
    assert article.title == "US, Russia to hold high-level arms control negotiations next week"
    assert article.outlet == "DW"
    assert article.published == "2021-07-24"
    assert article.language == "en"
    for furniture in DW_FURNITURE:
        assert furniture not in article.text, furniture
    assert article.text.startswith("Diplomats from both sides will convene in Geneva on Wednesday")
    # content sub-headings stay
    assert "What do we know so far?" in article.text
    assert "US-Russia ties remain fraught" in article.text
    assert article.text.rstrip().endswith("extension of the New START treaty.")
    # the headline repeated above the text is not body
    assert article.title not in article.text


def test_rfi_seed_metadata_and_body() -> None:
    article = storyline.extract(need(RFI_SEED))
    assert article.title == "In Geneva, meeting between the number two of Russian and American diplomacy"
    assert article.outlet == "RFI"
    assert article.published == "2021-07-28"
    assert article.language == "en"
    for furniture in RFI_FURNITURE:
        assert furniture not in article.text, furniture
    assert article.text.startswith("They are responsible for continuing the dialogue")
    assert "Arms control" in article.text
    assert article.text.rstrip().endswith("priority topics for the start of the school year.")


def test_inline_quote_fragments_are_rejoined() -> None:
    article = storyline.extract(need(RFI_SEED))
    assert (
        'Discussions "professional and substantial", according to the Americans, '
        '"pragmatic, professional and precise", according to the Russian Deputy Minister of Foreign Affairs.'
    ) in article.text
    assert "points of convergence \" he specified, quoted by the TASS agency." in article.text


def test_reflow_keeps_separate_sentences_apart() -> None:
    paragraphs = reflow(split_paragraphs("First sentence here.\n\nSecond one starts anew.\n\n„Ein Zitat\n\nwird fortgesetzt“, sagte er."))
    assert paragraphs == ["First sentence here.", "Second one starts anew.", "„Ein Zitat wird fortgesetzt“, sagte er."]


@pytest.mark.parametrize(
    ("text", "title", "outlet", "published"),
    [
        ("Gipfel in Wien | Politik | Tagesblick | 07.03.2024\n\nStand: 07.03.2024 14:05 Uhr\n\n" + "Die Gespräche in Wien beginnen am Mittwoch, sagte ein Sprecher des Ministeriums am Donnerstag. " * 3,
         "Gipfel in Wien", "Tagesblick", "2024-03-07"),
        ("Переговоры в Вене\n\nОпубликовано: 12 марта 2024, 14:05\n\n" + "Переговоры в Вене продолжатся в среду, заявил представитель министерства иностранных дел. " * 3 + "\n\n© 2024 Вечерний Вестник",
         "Переговоры в Вене", "Вечерний Вестник", "2024-03-12T14:05:00"),
        ("Terremoto en Perú\n\nPublicado el 18 de marzo de 2024\n\n" + "Un sismo de magnitud 7,1 sacudió el sur del país el lunes, informaron las autoridades locales. " * 3,
         "Terremoto en Perú", None, "2024-03-18"),
    ],
)
def test_scraped_metadata_in_other_languages(text: str, title: str, outlet: str | None, published: str) -> None:
    extracted = extract_scraped(text)
    assert extracted.title == title
    assert extracted.outlet == outlet
    assert extracted.published == published
    assert "Stand:" not in extracted.text and "Опубликовано" not in extracted.text and "©" not in extracted.text


def _raw(body: bytes, kind: str = "text", **given: str) -> RawDocument:
    meta = Given(**given)
    return RawDocument(content_id(kind, body, meta), "test", kind, body, meta)  # type: ignore[arg-type]


def test_mojibake_is_repaired_not_dropped() -> None:
    text = "Le prÃ©sident a dÃ©clarÃ© mercredi Ã  GenÃ¨ve que les nÃ©gociations reprendraient en septembre, selon son porte-parole."
    article = clean(_raw(("Titre\n\n" + text).encode("utf-8")))
    assert "Le président a déclaré mercredi à Genève" in article.text
    assert article.language == "fr"


def test_legacy_encoded_html_is_decoded() -> None:
    html = (
        "<html><head><meta charset='windows-1252'><title>Séisme au Pérou</title></head><body><article><h1>Séisme au Pérou</h1>"
        + "<p>Un séisme de magnitude 7,1 a frappé lundi la région d'Arequipa, dans le sud du Pérou, a indiqué l'institut géophysique.</p>" * 3
        + "</article></body></html>"
    )
    article = clean(_raw(html.encode("cp1252"), "html"))
    assert "Un séisme de magnitude 7,1 a frappé lundi la région d'Arequipa" in article.text
    assert article.title == "Séisme au Pérou"
    assert article.language == "fr"


def test_given_metadata_wins() -> None:
    body = "Talks resumed in Vienna on Wednesday between the two delegations, officials said after the first session ended.".encode()
    article = clean(_raw(body, title="Talks resume", outlet="Atlantic Wire Service", published="2024-03-13T10:00:00+01:00", language="en"))
    assert article.title == "Talks resume"
    assert article.outlet == "Atlantic Wire Service"
    assert article.published == "2024-03-13T10:00:00+01:00"
    assert article.text.startswith("Talks resumed in Vienna")


def test_page_without_article_text_is_a_clear_error() -> None:
    with pytest.raises(storyline.InputError, match="no article text"):
        clean(_raw(b"Menu\n\nSearch\n\nLog in", "text"))


def test_extract_cli_json(tmp_path: Path) -> None:
    result = run_cli("extract", str(need(DW_SEED)), "--json")
    payload = json.loads(result.stdout)
    assert set(payload) == {"title", "text", "published", "published_uncertain", "language", "outlet", "author"}
    assert payload["outlet"] == "DW" and payload["published"] == "2021-07-24"


# ---- issue 15: general behaviour on texts written for these tests -------------------------

PROSE = (
    "The regional parliament approved the new water budget on Tuesday after a debate that lasted most of the night. "
    "Farmers' groups said the allocation for irrigation was still too small for a dry summer. "
)


def test_caption_date_never_wins_over_a_date_line() -> None:
    text = (
        "Water budget passes after all-night debate\n\n"
        "Published: 14 May 2024\n\n"
        "Protesters outside the parliament building in Lakeside, 2 March 2009. PHOTO AGENCY - ARCHIVE\n\n"
        + PROSE * 3
    )
    extracted = extract_scraped(text, language="en")
    assert extracted.published == "2024-05-14"
    assert not extracted.published_uncertain


def test_caption_date_alone_is_kept_but_marked_uncertain() -> None:
    text = (
        "Water budget passes after all-night debate\n\n"
        "Protesters outside the parliament building in Lakeside, 2 March 2009. PHOTO AGENCY - ARCHIVE\n\n"
        + PROSE * 3
    )
    article = clean(_raw(text.encode()))
    assert article.published == "2009-03-02"
    assert article.published_uncertain
    assert article.published_day == dt.date(2009, 3, 2)  # still the best guess of when it was written
    assert "PHOTO AGENCY" not in article.text


def test_a_journalist_credit_is_the_author_not_the_outlet() -> None:
    text = "Water budget passes after all-night debate\n\nText by: Mara Lindqvist\n\n" + PROSE * 3
    extracted = extract_scraped(text, language="en")
    assert extracted.outlet is None or "Lindqvist" not in extracted.outlet
    assert extracted.author == "Mara Lindqvist"


def test_a_credit_never_names_the_outlet() -> None:
    credit = "Water budget passes after all-night debate\n\nText by: KRX\n\n" + PROSE * 3 + "\n\nKRX newsroom, Lakeside"
    assert extract_scraped(credit, language="en").outlet is None


def test_an_app_prompt_names_the_outlet_only_when_the_page_names_it_again() -> None:
    prompted = "Water budget passes after all-night debate\n\n" + PROSE * 3 + "\n\nGet the news on the go by downloading the KRX application"
    assert extract_scraped(prompted, language="en").outlet is None
    named = prompted + "\n\nKRX newsroom, Lakeside"
    assert extract_scraped(named, language="en").outlet == "KRX"


@pytest.mark.parametrize("prompt", ["Download our free app for the latest news", "Get the news by downloading the free application"])
def test_an_app_prompt_without_a_name_names_no_outlet(prompt: str) -> None:
    text = "Water budget passes after all-night debate\n\n" + PROSE * 3 + f"\n\n{prompt}\n\nAlso download our free app today"
    extracted = extract_scraped(text, language="en")
    assert extracted.outlet is None
    assert "download" not in extracted.text.lower()


def test_a_one_sentence_brief_is_an_article() -> None:
    brief = "Fire crews contained a blaze at a timber yard on the edge of Lakeside early on Sunday, the fire service said."
    article = clean(_raw(brief.encode()))
    assert article.text == brief
    titled = clean(_raw(f"Timber yard fire contained\n\n{brief}".encode()))
    assert titled.title == "Timber yard fire contained" and titled.text == brief


def test_an_untitled_record_keeps_its_whole_body() -> None:
    body = "Rain is back.\n\n" + PROSE + "\n\nForecasters expect showers until Thursday, with heavier rain in the hills."
    article = clean(_raw(body.encode()))
    assert article.title is None
    assert article.text.startswith("Rain is back.")
    assert article.text.endswith("heavier rain in the hills.")


def test_navigation_before_the_repeated_headline_is_dropped() -> None:
    text = (
        "Water budget passes after all-night debate | Region | Lakeside Courier\n\n"
        "Visit our redesigned website\n\nTry the preview of our new pages and tell us what you think!\n\n"
        "1. Content\n\n2. Navigation\n\n3. Pick one of 12 editions\n\n"
        "Water budget passes after all-night debate\n\n" + PROSE * 3
    )
    extracted = extract_scraped(text, language="en")
    assert extracted.outlet == "Lakeside Courier"
    assert extracted.text.startswith("The regional parliament approved")
    for furniture in ("redesigned", "preview", "Navigation", "editions"):
        assert furniture not in extracted.text


def test_html_title_loses_the_outlet_and_authors_lose_the_publisher() -> None:
    html = (
        "<html><head><title>Water budget passes after all-night debate - Lakeside Courier</title>"
        "<meta property='og:site_name' content='Lakeside Courier'>"
        "<meta name='author' content='Mara Lindqvist'>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": [{"name": "Mara Lindqvist"}, '
        '{"name": "Courier Media Group"}], "publisher": {"name": "Courier Media Group"}}</script>'
        "</head><body><article><h1>Water budget passes after all-night debate</h1>"
        + f"<p>{PROSE}</p>" * 3 + "</article></body></html>"
    )
    article = clean(_raw(html.encode(), "html"))
    assert article.title == "Water budget passes after all-night debate"
    assert article.outlet == "Lakeside Courier"
    assert article.author == "Mara Lindqvist"


def test_outlet_names_join_abbreviations_and_hosts_to_the_one_proper_name() -> None:
    names = OutletNames({"NDC": 2, "la-voz-del-valle.example": 1})
    assert names.resolve("Nordic Daily Courier") == "Nordic Daily Courier"
    assert names.resolve("La Voz del Valle") == "La Voz del Valle"
    assert sorted(names.take_renames()) == [("NDC", "Nordic Daily Courier"), ("la-voz-del-valle.example", "La Voz del Valle")]
    assert names.resolve("NDC") == "Nordic Daily Courier"
    assert names.resolve("www.lavozdelvalle.example") == "La Voz del Valle"
    # A host that spells no known name, and an abbreviation of two known names, stay as they are.
    assert names.resolve("valley-news.example") == "valley-news.example"
    names.resolve("Northern Daily Chronicle")
    assert names.resolve("NDC") == "NDC"
