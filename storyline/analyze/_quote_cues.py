"""Per-language word lists for quotation finding: reporting verbs, "according to" forms, pronouns, titles.

Verbs are listed by their stems and expanded by a few regular endings per
language (``said``/``says``, ``a déclaré``/``déclare-t-il``, ``sagte``/``gesagt``,
``afirmó``/``ha afirmado``, ``заявил``/``заявила``); irregular forms are written
out. Only verbs of speech are listed: "believes", "thinks" report opinions, not
words. Everything is lower case; the matcher ignores case. Fields with defaults
switch on what only some languages do (English clauses without "that", German
clauses after a comma). ``storyline.analyze.quotes`` reads these; nothing else does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LanguageCues:
    """What marks reported speech in one language."""

    verbs: frozenset[str]  # finite reporting verbs, with their auxiliaries: "said", "a déclaré", "ha dicho"
    participles: frozenset[str]  # "adding", "ajoutant", "добавив": the speaker is the clause's subject
    according_before: frozenset[str]  # "according to X", "selon X", "по словам X"
    according_after: frozenset[str]  # "X zufolge"
    after_quote_only: frozenset[str]  # cues that only count right after a quotation: German "„…“, so Scholz"
    complementizers: frozenset[str]  # "that", "que", "dass", "что"
    pronouns: frozenset[str]  # singular third-person pronouns a speaker can be
    feminine_pronouns: frozenset[str]  # the ones of them that say "a woman" ("she"; German "sie" also means "they")
    honorifics: Mapping[str, str]  # "Mr" -> "m", "Mme" -> "f": a name's gender, so "she" skips "Mr. Autor"
    plural_pronouns: frozenset[str]  # "they": a group, left unresolved
    clause_words: frozenset[str]  # conjunctions and relatives: a speaker phrase never spans one
    coordinators: frozenset[str]  # "… and suggested that …": the second verb has the first one's subject
    complement_words: frozenset[str]  # "a spokesman for Sanders", "le porte-parole de Macron": that name is not the speaker
    fillers: frozenset[str]  # words between a subject and its verb: "has", "also", "hat"
    prepositions: frozenset[str]  # end a speaker named after its verb: "said Smith in a statement"
    definite: frozenset[str]  # "the", "le", "der": a description that points back to someone ("his lawyer" does not)
    indefinite: frozenset[str]  # "a", "un", "ein": "a senior official" is nobody in particular
    anonymous_roles: frozenset[str]  # "the source", "the official": anonymous by trade, never resolved to a name
    roles: frozenset[str]  # title and role nouns: "minister", "porte-parole", "sprecher", "министр"
    role_match: str  # "word" (role or role + plural ending), "part" (inside compounds: German), "prefix" (Russian cases)
    capitalized_demonyms: bool  # "Russian" is capitalized, so a capitalized qualifier can clash ("US" vs "Russian")
    # English only: a clause without "that" ("said the talks were useful"), with what may come between
    clause_verbs: frozenset[str] = frozenset()  # verbs taking a clause without "that"
    object_verbs: frozenset[str] = frozenset()  # verbs whose object may sit before the reported clause: "told reporters"
    object_pattern: str = "(?!)"  # regex of such objects: "reporters", "CNN"
    subject_adverbials: str = "(?!)"  # regex of phrases between "said" and its clause: "on Friday", "in a statement"
    not_clause_start: frozenset[str] = frozenset()  # words after "said" that start no clause: "said in", "said so"
    object_pronouns: frozenset[str] = frozenset()  # "…, told me this week": no speaker after the verb
    passive_auxiliaries: frozenset[str] = frozenset()  # "he was told that …": he heard it, nobody is quoted
    infinitive_marker: str = ""  # "went so far as to say": the sentence's subject says it
    subject_required: bool = False  # English names every subject: a verb without one ("Alleged …") quotes nobody
    comma_clause: bool = False  # German "Er sagte, die Gespräche seien nützlich": a clause after a comma, no "dass"
    role_abbreviations: Mapping[str, str] = field(default_factory=dict)  # "gov" -> "governor": "Gov. Mike Pence" is "the governor"
    office_words: frozenset[str] = frozenset()  # capitalized in titles without saying whose: "Foreign" in "Foreign Minister"
    # groups that speak without a name and are no role: "police said", "les autorités ont indiqué"
    collective_speakers: frozenset[str] = frozenset()
    # what tells a chunking error from a speaker phrase (``quotes._names_someone``): a speaker never starts
    # with a preposition nor holds a finite auxiliary; without determiners (English, Russian) a bare noun
    # speaks ("respondents said"), elsewhere a noun phrase has a determiner or a capital
    speaker_prepositions: frozenset[str] = frozenset()
    auxiliaries: frozenset[str] = frozenset()
    bare_nouns: bool = True


def _english(*lemmas: str, past_only: bool = False) -> set[str]:
    """Regular English verbs: lemma, -s and -ed forms with the usual spelling changes.

    ``past_only`` for verbs that are also common nouns ("claim", "report", "comment"):
    their bare and -s forms would turn "the claims that ..." into a quotation.
    """
    forms: set[str] = set()
    for lemma in lemmas:
        if lemma.endswith("e"):
            present, past = lemma + "s", lemma + "d"
        elif lemma.endswith("y") and lemma[-2] not in "aeiou":
            present, past = lemma[:-1] + "ies", lemma[:-1] + "ied"
        elif lemma.endswith(("s", "sh", "ch", "x")):
            present, past = lemma + "es", lemma + "ed"
        else:
            present, past = lemma + "s", lemma + "ed"
        forms |= {past} if past_only else {lemma, present, past}
    return forms


def _french(*stems: str) -> set[str]:
    """French -er verbs from their stem: present, passé composé (a/ont/avait + participle), inversions."""
    forms: set[str] = set()
    for stem in stems:
        forms |= _french_forms(present=stem + "e", plural=stem + "ent", participle=stem + "é", past=stem + "ait")
    return forms


def _french_forms(*, present: str, plural: str, participle: str, past: str) -> set[str]:
    forms = {present, plural, past, present + "-t-il", present + "-t-elle", plural + "-ils", plural + "-elles"}
    for auxiliary in ("a", "ont", "avait", "avaient", "aurait"):
        forms |= {f"{auxiliary} {adverb}{participle}" for adverb in ("", "également ", "aussi ", "encore ")}
    forms |= {f"{inverted} {participle}" for inverted in ("a-t-il", "a-t-elle", "ont-ils", "ont-elles", "avait-il", "avait-elle")}
    if present.endswith(("t", "d")):  # "dit-il", "répond-elle": no euphonic -t-
        forms |= {present + "-il", present + "-elle"}
    return forms


def _german(*stems: str) -> set[str]:
    """German weak verbs from their stem: sagt, sagte, sagten, gesagt (participles of verbs in -ieren: kritisiert)."""
    forms: set[str] = set()
    for stem in stems:
        stem_e = stem + "e" if stem.endswith(("t", "d")) else stem  # "antwortet", "verkündete"
        participle = stem_e + "t" if stem.endswith("ier") or stem.startswith(("be", "er", "ver", "zer", "ent")) else "ge" + stem_e + "t"
        forms |= {stem_e + "t", stem_e + "te", stem_e + "ten", participle}
    return forms


def _spanish(*stems: str) -> set[str]:
    """Spanish regular verbs from stem + class ("afirm-ar", "añad-ir"): present, preterite, perfect, imperfect."""
    forms: set[str] = set()
    for entry in stems:
        stem, _, kind = entry.partition("-")
        if kind == "ar":
            simple = {stem + "a", stem + "an", stem + "ó", stem + "aron", stem + "aba"}
            participle = stem + "ado"
        else:
            simple = {stem + "e", stem + "en", stem + "ió", stem + "ieron", stem + "ía"}
            participle = stem + "ido"
        forms |= simple | {f"{auxiliary} {participle}" for auxiliary in ("ha", "han", "había", "habían", "habría")}
    return forms


def _russian(*stems: str) -> set[str]:
    """Russian past tense from the stem before -л: заяви -> заявил, заявила, заявили, заявило."""
    return {stem + ending for stem in stems for ending in ("л", "ла", "ли", "ло")}


ENGLISH = LanguageCues(
    speaker_prepositions=frozenset("in on at during to from with after before via about for by of into through over under against without within across around".split()),
    auxiliaries=frozenset("is are was were am be been being has have had do does did will would can could may might must shall should".split()),
    collective_speakers=frozenset("police authorities government governments ministry department prosecutors investigators agency court army military administration company firm campaign committee union residents witnesses critics officials reports report statement media".split()),
    verbs=frozenset(
        _english(
            "add", "explain", "insist", "argue", "warn", "declare", "announce", "ask", "specify", "clarify", "confirm",
            "acknowledge", "suggest", "recall", "observe", "emphasize", "emphasise", "complain", "concede", "urge",
            "assert", "maintain", "contend", "deny", "reiterate", "recount", "mention", "respond", "conclude",
            "lament", "testify", "predict", "exclaim", "boast", "indicate", "disclose", "reveal", "inform",
            "assure", "remind", "retort", "scoff", "elaborate", "affirm",
        )
        | _english(
            "state", "note", "stress", "claim", "reply", "continue", "remark", "comment", "caution", "promise", "vow",
            "repeat", "joke", "answer", "report", "tweet", "counter", "pledge", "shout", "muse", "marvel", "post",
            "yell", "scream", "chant", "bark", "exclaim", "gush", "grumble", "lecture", "recall",
            past_only=True,
        )
        | {
            "say", "says", "said", "tell", "tells", "told", "write", "writes", "wrote", "written", "quip", "quips",
            "quipped", "admit", "admits", "admitted", "point out", "points out", "pointed out", "went on", "goes on",
            "was quoted as saying", "were quoted as saying", "was quoted saying", "is quoted as saying", "put it",
            "puts it", "snapped", "shot back", "fired back", "chimed in",
        }
    ),
    participles=frozenset(
        {
            "adding", "saying", "noting", "stressing", "explaining", "insisting", "warning", "arguing", "claiming",
            "declaring", "stating", "suggesting", "asserting", "pointing out", "telling", "writing", "promising",
            "acknowledging", "admitting", "emphasizing", "emphasising", "vowing", "urging",
        }
    ),
    according_before=frozenset({"according to", "as quoted by"}),
    according_after=frozenset(),
    after_quote_only=frozenset({"read", "reads"}),  # "“…,” the editorial read."
    complementizers=frozenset({"that"}),
    pronouns=frozenset({"he", "she"}),
    feminine_pronouns=frozenset({"she"}),
    honorifics={"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "sir": "m", "lady": "f"},
    plural_pronouns=frozenset({"they", "we", "i", "you"}),
    clause_words=frozenset(
        {
            "and", "but", "or", "because", "while", "when", "after", "before", "as", "if", "since", "although",
            "though", "that", "which", "who", "whom", "whose", "where", "whereas", "unless", "until", "than",
        }
    ),
    coordinators=frozenset({"and", "but"}),
    complement_words=frozenset({"of", "for", "at", "with", "from"}),
    fillers=frozenset(
        {
            "has", "have", "had", "also", "later", "then", "previously", "recently", "once", "further", "again",
            "would", "will", "repeatedly", "publicly", "reportedly", "privately", "just", "already", "even", "earlier",
            "is", "was", "were", "are", "has also", "often", "frequently", "famously", "flatly", "simply", "never",
            "first", "only", "firmly", "angrily", "bluntly", "quickly", "openly", "initially", "subsequently", "finally",
            "still", "not", "did", "does", "do", "may", "might", "could", "should", "can",
        }
    ),
    prepositions=frozenset(
        "in on at during to from with after before via about for by of when while last this earlier later "
        "told".split()
    ),
    definite=frozenset({"the", "this", "that"}),
    indefinite=frozenset({"a", "an", "one", "another", "some", "several", "many", "two", "three", "other", "unnamed", "anonymous"}),
    anonymous_roles=frozenset({"source", "official", "witness", "insider"}),
    roles=frozenset(
        {
            "minister", "secretary", "spokesman", "spokeswoman", "spokesperson", "president", "chancellor", "premier",
            "official", "ambassador", "diplomat", "envoy", "negotiator", "chief", "head", "director", "leader",
            "governor", "senator", "lawmaker", "congressman", "congresswoman", "representative", "mayor", "general",
            "commander", "counterpart", "deputy", "adviser", "advisor", "aide", "chairman", "chairwoman", "chair",
            "ceo", "executive", "founder", "lawyer", "attorney", "judge", "prosecutor", "candidate", "king", "queen",
            "pope", "prince", "officer", "manager", "coach", "expert", "analyst", "economist", "professor",
            "researcher", "scientist", "doctor", "source", "witness", "activist", "nominee", "commissioner",
            "administrator", "inspector", "sheriff", "captain", "colonel", "strategist", "pollster", "businessman",
            "businesswoman", "billionaire", "frontrunner", "front-runner", "incumbent", "challenger", "host", "author",
            "vice", "campaigner", "organizer", "organiser", "ceo", "chairperson", "speaker", "whip", "justice",
            "gov", "sen", "rep", "gen", "sec", "amb", "lt", "col", "capt", "sgt", "adm", "nominee", "editor",
            "editorial", "columnist", "commentator", "correspondent", "reporter", "historian", "sociologist", "mp",
        }
    ),
    role_match="word",
    capitalized_demonyms=True,
    office_words=frozenset(
        "foreign affairs state defense defence interior home finance treasury justice health education energy commerce "
        "trade labor labour transport transportation agriculture environment economy security intelligence homeland "
        "national federal general senior first prime under assistant acting house senate white department ministry "
        "office council committee cabinet majority minority press communications campaign".split()
    ),
    role_abbreviations={
        "gov": "governor", "sen": "senator", "rep": "representative", "gen": "general", "sec": "secretary",
        "amb": "ambassador", "lt": "lieutenant", "col": "colonel", "capt": "captain", "sgt": "sergeant", "adm": "admiral",
    },
    object_verbs=frozenset(
        "told tells tell assured assures informed informs reminded reminds warned warns urged asked promised wrote".split()
    ),
    object_pattern=r"(?:reporters|journalists|me|us|him|her|them|(?:the\s+)?[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,3})\s*",
    not_clause_start=frozenset(
        "in on at to for of with by about from during after before through over under via against into as so yes no "
        "nothing something anything goodbye hello thanks thank more little much".split()
    ),
    object_pronouns=frozenset({"me", "us", "him", "them", "you"}),
    passive_auxiliaries=frozenset({"is", "was", "were", "be", "been", "being", "are"}),
    infinitive_marker="to",
    subject_required=True,
    clause_verbs=frozenset(
        _english("say", "add", "argue", "insist", "warn", "predict", "suggest", "acknowledge", "concede", "explain", "complain", "announce", "tell")
        | {"said", "told", "wrote", "writes", "claimed", "noted", "stated", "added", "admitted", "admits", "tweeted", "replied", "promised", "vowed"}
    ),
    subject_adverbials=(
        r"(?:(?:on|late|early)\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:\s+(?:night|morning|afternoon|evening))?"
        r"|(?:last|this|next)\s+(?:week|month|year|night|weekend)|earlier|later|yesterday|today|tonight|recently|repeatedly|again"
        r"|in\s+an?\s+(?:statement|interview|speech|tweet|post|letter|briefing|email|e-mail|op-ed|memo|release|video)"
        r"(?:\s+(?:on|with|to)\s+(?:the\s+)?[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*)?"
        r"|at\s+an?\s+(?:rally|news conference|press conference|event|briefing|hearing|debate)"
    ),
)

FRENCH = LanguageCues(
    speaker_prepositions=frozenset("à au aux dans en sur pour par avec sans sous chez vers pendant avant après depuis contre entre".split()),
    auxiliaries=frozenset("est sont était étaient a ont avait avaient sera seront serait seraient peut peuvent doit doivent".split()),
    bare_nouns=False,
    collective_speakers=frozenset("police autorités gouvernement ministère parquet enquêteurs armée justice syndicat syndicats entreprise société habitants témoins médias".split()),
    verbs=frozenset(
        _french(
            "déclar", "affirm", "expliqu", "ajout", "soulign", "indiqu", "précis", "assur", "estim", "annonc", "confi",
            "not", "observ", "comment", "insist", "regrett", "déplor", "jug", "racont", "lanc", "avou",
            "répliqu", "rétorqu", "ironis", "résum", "tweet", "twitt", "signal", "confirm", "menac", "dénonc",
            "critiqu", "exhort", "argument", "détaill", "proclam", "clam",
            "nuanc", "plaid", "relev", "constat", "interrog", "demand",
        )
        | _french_forms(present="martèle", plural="martèlent", participle="martelé", past="martelait")
        | _french_forms(present="rappelle", plural="rappellent", participle="rappelé", past="rappelait")
        | _french_forms(present="dit", plural="disent", participle="dit", past="disait")
        | _french_forms(present="écrit", plural="écrivent", participle="écrit", past="écrivait")
        | _french_forms(present="reconnaît", plural="reconnaissent", participle="reconnu", past="reconnaissait")
        | _french_forms(present="conclut", plural="concluent", participle="conclu", past="concluait")
        | _french_forms(present="poursuit", plural="poursuivent", participle="poursuivi", past="poursuivait")
        | _french_forms(present="soutient", plural="soutiennent", participle="soutenu", past="soutenait")
        | _french_forms(present="avertit", plural="avertissent", participle="averti", past="avertissait")
        | _french_forms(present="prévient", plural="préviennent", participle="prévenu", past="prévenait")
        | _french_forms(present="répond", plural="répondent", participle="répondu", past="répondait")
        | _french_forms(present="admet", plural="admettent", participle="admis", past="admettait")
        | _french_forms(present="promet", plural="promettent", participle="promis", past="promettait")
        | _french_forms(present="dément", plural="démentent", participle="démenti", past="démentait")
        | {"a fait savoir", "ont fait savoir", "s'est félicité", "s’est félicité", "s'est félicitée", "s’est félicitée",
           "s'est dit", "s’est dit", "s'est dite", "s’est dite", "s'est inquiété", "s’est inquiété", "déclara", "affirma",
           "ajouta", "expliqua", "lança", "dit-il", "dit-elle"}
    ),
    participles=frozenset(
        {
            "ajoutant", "soulignant", "estimant", "précisant", "expliquant", "assurant", "affirmant", "indiquant",
            "rappelant", "insistant", "jugeant", "avertissant", "martelant", "déclarant", "notant", "prévenant",
        }
    ),
    according_before=frozenset({"selon", "d'après", "d’après", "aux dires de", "de l'avis de", "de l’avis de"}),
    according_after=frozenset(),
    after_quote_only=frozenset(),
    complementizers=frozenset({"que", "qu'", "qu’"}),
    pronouns=frozenset({"il", "elle"}),
    feminine_pronouns=frozenset({"elle"}),
    honorifics={"m": "m", "monsieur": "m", "mme": "f", "madame": "f", "mlle": "f", "mademoiselle": "f"},
    plural_pronouns=frozenset({"ils", "elles", "on", "nous", "je", "vous"}),
    clause_words=frozenset({"et", "mais", "ou", "car", "parce", "quand", "lorsque", "si", "que", "qui", "dont", "où", "alors", "puisque", "tandis"}),
    coordinators=frozenset({"et", "mais"}),
    complement_words=frozenset({"de", "du", "des", "d'", "auprès"}),
    fillers=frozenset(
        "ne n' n’ lui leur nous vous aussi également ensuite encore enfin alors pourtant toutefois cependant "
        "déjà y".split()
    ),
    prepositions=frozenset(
        "à au aux dans lors devant en sur pendant avant après depuis lundi mardi mercredi jeudi vendredi "
        "samedi dimanche mais".split()
    ),
    definite=frozenset({"le", "la", "les", "l'", "ce", "cet", "cette"}),
    indefinite=frozenset({"un", "une", "des", "plusieurs", "certains", "certaines", "deux", "trois"}),
    anonymous_roles=frozenset({"source", "responsable", "témoin"}),
    roles=frozenset(
        {
            "ministre", "vice-ministre", "porte-parole", "président", "présidente", "chef", "cheffe", "secrétaire",
            "ambassadeur", "ambassadrice", "diplomate", "négociateur", "négociatrice", "dirigeant", "dirigeante",
            "responsable", "directeur", "directrice", "chancelier", "chancelière", "premier", "première", "député",
            "députée", "sénateur", "sénatrice", "maire", "général", "homologue", "conseiller", "conseillère", "avocat",
            "avocate", "juge", "procureur", "procureure", "expert", "experte", "analyste", "chercheur", "chercheuse",
            "professeur", "professeure", "patron", "patronne", "commissaire", "émissaire", "envoyé", "envoyée",
            "candidat", "candidate", "roi", "reine", "pape", "vice-président", "vice-présidente", "numéro", "source",
            "représentant", "représentante", "commandant", "officier", "économiste", "politologue", "adjoint", "adjointe",
        }
    ),
    role_match="word",
    capitalized_demonyms=False,
)

GERMAN = LanguageCues(
    speaker_prepositions=frozenset("in im an am auf bei mit zu zum zur von vom für gegen ohne unter über vor nach seit durch aus".split()),
    auxiliaries=frozenset("ist sind war waren hat haben hatte hatten wird werden wurde wurden kann können konnte konnten muss müssen soll sollen".split()),
    bare_nouns=False,
    collective_speakers=frozenset("polizei behörden behörde regierung ministerium staatsanwaltschaft ermittler armee gewerkschaft unternehmen konzern anwohner zeugen medien".split()),
    verbs=frozenset(
        _german(
            "sag", "erklär", "beton", "mein", "ergänz", "warn", "forder", "behaupt", "bericht", "versicher", "bestätig",
            "kritisier", "antwort", "erläuter", "frag", "kommentier", "bekräftig", "verkünd", "beklag", "bemerk",
            "mahn", "appellier", "resümier", "twitter", "argumentier", "präzisier",
        )
        | {
            "unterstrich", "unterstrichen", "unterstreicht", "schrieb", "schreibt", "geschrieben", "sprach", "spricht",
            "fügte", "fügten", "teilte", "teilten", "kündigte", "kündigten", "räumte", "räumten", "verwies", "hieß es",
            "heißt es",
        }
    ),
    participles=frozenset(),
    according_before=frozenset(
        {"laut", "nach angaben von", "nach angaben des", "nach angaben der", "nach worten von", "nach den worten von", "nach aussage von"}
    ),
    according_after=frozenset({"zufolge"}),
    after_quote_only=frozenset({"so"}),
    complementizers=frozenset({"dass", "daß", "ob"}),
    pronouns=frozenset({"er", "sie"}),
    feminine_pronouns=frozenset({"sie"}),
    honorifics={"herr": "m", "frau": "f"},
    plural_pronouns=frozenset({"wir", "ich", "man"}),
    clause_words=frozenset({"und", "aber", "oder", "denn", "weil", "als", "wenn", "dass", "daß", "ob", "während", "nachdem", "obwohl", "sondern"}),
    coordinators=frozenset({"und", "aber"}),
    complement_words=frozenset({"von", "vom", "für"}),
    fillers=frozenset(
        "hat habe hatte hätte auch bereits nun jetzt dann zudem außerdem dazu ebenfalls noch schon am ihm ihr "
        "ihnen".split()
    ),
    prepositions=frozenset(
        "im am in an auf bei gegenüber vor nach während mit zu zum zur laut am heute gestern".split()
    ),
    definite=frozenset({"der", "die", "das", "den", "dem", "des", "dieser", "diese", "dieses"}),
    indefinite=frozenset({"ein", "eine", "einer", "einem", "einen", "eines", "mehrere", "zwei", "drei"}),
    anonymous_roles=frozenset({"quelle", "insider"}),
    roles=frozenset(
        {
            "minister", "sprecher", "präsident", "kanzler", "botschafter", "diplomat", "chef", "leiter", "vorsitzend",
            "sekretär", "beauftragt", "gesandt", "vertreter", "experte", "expertin", "analyst", "direktor", "berater",
            "abgeordnet", "bürgermeister", "general", "kommandeur", "anwalt", "anwältin", "richter", "staatsanwalt",
            "kandidat", "könig", "papst", "amtskollege", "kollege", "unterhändler", "regierungschef", "premier",
            "senator", "gouverneur", "professor", "forscher", "ökonom", "politiker", "quelle",
        }
    ),
    role_match="part",
    capitalized_demonyms=False,
    comma_clause=True,
)

SPANISH = LanguageCues(
    speaker_prepositions=frozenset("en a al con para por sin sobre entre desde hasta durante tras ante contra".split()),
    auxiliaries=frozenset("es son era eran fue fueron está están estaba estaban ha han había habían será serán puede pueden debe deben".split()),
    bare_nouns=False,
    collective_speakers=frozenset("policía autoridades gobierno ministerio fiscalía investigadores ejército sindicato sindicatos empresa vecinos testigos medios".split()),
    verbs=frozenset(
        _spanish(
            "afirm-ar", "asegur-ar", "declar-ar", "explic-ar", "agreg-ar", "señal-ar", "indic-ar", "subray-ar",
            "destac-ar", "manifest-ar", "precis-ar", "apunt-ar", "coment-ar", "anunci-ar", "expres-ar", "critic-ar",
            "denunci-ar", "aclar-ar", "pregunt-ar", "enfatiz-ar", "relat-ar", "confirm-ar", "insist-ir", "añad-ir",
            "respond-er", "admit-ir", "promet-er", "reiter-ar", "alert-ar", "adelant-ar",
            "tuite-ar", "argument-ar", "lament-ar", "remarc-ar", "sentenci-ar", "replic-ar", "zanj-ar",
        )
        | {
            "dijo", "dice", "dicen", "dijeron", "decía", "ha dicho", "han dicho", "había dicho", "advirtió", "advierte",
            "sostuvo", "sostiene", "reconoció", "reconoce", "recordó", "recuerda", "concluyó", "concluye", "negó",
            "niega", "escribió", "escribe", "escriben", "manifestó", "manifiesta", "expuso", "ha escrito", "ha reconocido", "ha recordado",
        }
    ),
    participles=frozenset(
        "añadiendo agregando señalando asegurando afirmando explicando subrayando destacando advirtiendo insistiendo "
        "indicando precisando diciendo".split()
    ),
    according_before=frozenset({"según", "de acuerdo con", "a decir de", "en palabras de"}),
    according_after=frozenset(),
    after_quote_only=frozenset(),
    complementizers=frozenset({"que"}),
    pronouns=frozenset({"él", "ella"}),
    feminine_pronouns=frozenset({"ella"}),
    honorifics={"sr": "m", "señor": "m", "don": "m", "sra": "f", "señora": "f", "doña": "f"},
    plural_pronouns=frozenset({"ellos", "ellas", "nosotros", "yo"}),
    clause_words=frozenset({"y", "pero", "o", "porque", "cuando", "si", "que", "quien", "quienes", "donde", "mientras", "aunque", "pues"}),
    coordinators=frozenset({"y", "pero"}),
    complement_words=frozenset({"de", "del"}),
    fillers=frozenset({"también", "ya", "le", "les", "se", "lo", "luego", "además", "entonces", "hoy", "ayer", "nuevamente"}),
    prepositions=frozenset({"en", "a", "al", "durante", "ante", "tras", "desde", "con", "para", "este", "hoy", "ayer"}),
    definite=frozenset({"el", "la", "los", "las", "este", "esta"}),
    indefinite=frozenset({"un", "una", "unos", "unas", "varios", "varias", "dos", "tres"}),
    anonymous_roles=frozenset({"fuente", "fuentes", "testigo"}),
    roles=frozenset(
        {
            "ministro", "ministra", "viceministro", "viceministra", "portavoz", "presidente", "presidenta", "canciller",
            "jefe", "jefa", "secretario", "secretaria", "embajador", "embajadora", "diplomático", "diplomática",
            "negociador", "negociadora", "director", "directora", "líder", "dirigente", "responsable", "experto",
            "experta", "analista", "alcalde", "alcaldesa", "gobernador", "gobernadora", "senador", "senadora",
            "diputado", "diputada", "general", "homólogo", "homóloga", "asesor", "asesora", "abogado", "abogada",
            "juez", "jueza", "fiscal", "candidato", "candidata", "rey", "reina", "papa", "vicepresidente",
            "vicepresidenta", "representante", "comandante", "portavoces", "economista", "fuente",
        }
    ),
    role_match="word",
    capitalized_demonyms=False,
)

RUSSIAN = LanguageCues(
    speaker_prepositions=frozenset("в во на с со к ко по о об от до из за для без под над при через после перед между".split()),
    auxiliaries=frozenset("был была было были будет будут может могут должен должна должны".split()),
    collective_speakers=frozenset("полиция полиции власти правительство министерство минобороны прокуратура следователи армия профсоюз компания жители свидетели".split()),
    verbs=frozenset(
        _russian(
            "заяви", "сказа", "отмети", "подчеркну", "добави", "сообщи", "поясни", "рассказа", "призна", "уточни",
            "замети", "указа", "завери", "предупреди", "написа", "ответи", "объясни", "констатирова", "резюмирова",
            "подтверди", "напомни", "пообеща", "потребова", "призва", "спроси", "возрази", "заверя", "говори",
            "добавля", "отмеча", "подчёркива", "подчеркива", "сообща", "заявля", "утвержда", "процитирова", "высказа",
        )
        | {
            "заявляет", "говорит", "отмечает", "подчёркивает", "подчеркивает", "добавляет", "сообщает", "поясняет",
            "рассказывает", "признаёт", "признает", "уточняет", "пишет", "утверждает", "уверяет",
            "заявляют", "говорят", "отмечают", "сообщают", "опроверг", "опровергла", "опровергли",
        }
    ),
    participles=frozenset({"добавив", "отметив", "подчеркнув", "заявив", "пояснив", "уточнив", "указав", "напомнив", "предупредив", "признав"}),
    according_before=frozenset(
        {
            "по словам", "по мнению", "по данным", "по информации", "как заявил", "как заявила", "как сообщил",
            "как сообщила", "как отметил", "как отметила", "как сказал", "как сказала", "как пояснил", "как пояснила",
            "как подчеркнул", "как подчеркнула", "как рассказал", "как рассказала", "как уточнил", "как уточнила",
        }
    ),
    according_after=frozenset(),
    after_quote_only=frozenset(),
    complementizers=frozenset({"что", "чтобы"}),
    pronouns=frozenset({"он", "она"}),
    feminine_pronouns=frozenset({"она"}),
    honorifics={"господин": "m", "госпожа": "f"},
    plural_pronouns=frozenset({"они", "мы", "я"}),
    clause_words=frozenset({"и", "но", "а", "или", "потому", "когда", "если", "что", "который", "которая", "которые", "которого", "где", "хотя"}),
    coordinators=frozenset({"и", "но", "а"}),
    complement_words=frozenset({"для", "при"}),
    fillers=frozenset({"также", "тоже", "уже", "ранее", "затем", "тогда", "вновь", "ещё", "еще", "же", "позже", "накануне", "лишь", "не"}),
    prepositions=frozenset({"в", "во", "на", "перед", "после", "с", "журналистам", "агентству", "изданию", "телеканалу", "газете", "корреспонденту"}),
    definite=frozenset(),
    indefinite=frozenset({"один", "одна", "одного", "одной", "некий", "некая", "несколько"}),
    anonymous_roles=frozenset({"источник", "собеседник"}),
    roles=frozenset(
        {
            "министр", "замминистр", "заместител", "пресс-секретар", "представител", "президент", "глав", "посол",
            "посл", "дипломат", "директор", "руководител", "лидер", "спикер", "эксперт", "премьер", "канцлер",
            "генсек", "сенатор", "депутат", "губернатор", "мэр", "председател", "помощник", "советник", "собеседник",
            "генерал", "командующ", "адвокат", "судь", "прокурор", "кандидат", "источник", "аналитик", "политолог",
            "коллег", "переговорщик",
        }
    ),
    role_match="prefix",
    capitalized_demonyms=False,
)

CUES_BY_LANGUAGE: dict[str, LanguageCues] = {"en": ENGLISH, "fr": FRENCH, "de": GERMAN, "es": SPANISH, "ru": RUSSIAN}
