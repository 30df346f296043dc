"""Kinds of page furniture that read the same on every site: share prompts, cookie notices,
reading times, copyright lines, agency credits, "related" headers.

Written by hand because no library does this for *plain text*: jusText and trafilatura judge
HTML blocks by their markup and link density, which a scraped text file no longer has. These
patterns are one feature of the learned paragraph classifier (``lines``), and filter the furniture
trafilatura leaves inside an article element; they cover English, French, German, Spanish,
Russian and Italian.
"""

from __future__ import annotations

import re

from storyline.words import word_count

_I = re.IGNORECASE

# Evidence, after each pattern: the paragraphs it matches in the pages the line classifier trains
# on (L3S-GN1 and the trained halves of ScrapingHub and fundus, rendered by html_text), on how many
# sites, and the share of them that is furniture by the gold annotation. ``python
# scripts/train_line_model.py --patterns`` prints these counts; a pattern that matched nothing
# there was removed (the seed-shaped "Text by:" credit, "with our correspondent", reproduction
# notices, cookie buttons, "with AFP").

# "Comments (12)": where readers' comments start. 145 on 74 sites, 100 %.
COMMENTS_HEADER = re.compile(r"^(comments?|commentaires?|kommentare?|comentarios?|комментарии)\s*(\(\d+\))?$", _I)

# A whole paragraph matching one of these is boilerplate.
LINE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, _I)
    for p in (
        # reading time, share bars, ads
        r"^\d{1,2}\s*(min|mins|minutes?|minuten|мин)\.?(\s*(read|de lecture|lesezeit|de lectura|lettura|чтения))?$",  # 34 on 10 sites, 100 %
        r"^(lesezeit|temps de lecture|reading time|tiempo de lectura|время чтения)\s*:?\s*\d+.*$",  # 2 on 1 site ("Lesezeit: 3 Min."), 100 %
        r"^(advertisement|publicité|anzeige|werbung|publicidad|pubblicità|реклама)$",  # 209 on 84 sites, 97 %
        r"^(read more|lire plus|en savoir plus|weiterlesen|mehr lesen|leer más|leggi (anche|di più)|читать (далее|полностью))$",  # 11 on 9 sites, 100 %
        COMMENTS_HEADER.pattern,
        r"^(print|imprimer|drucken|imprimir|печать)$",  # 90 on 48 sites, 99 %
        # bylines and agency credits
        # slashed short words: section links ("Sci/Tech", "NSW/ACT") and editors' initials: 56 on 31 sites, 100 %
        r"^[a-zäöüß]{1,5}(/[a-zäöüß]{1,5})+(\s*\([^)]*\))?$",
        r"^\(?(afp|ap|dpa|reuters|efe|ansa|tass|ria novosti|ria|интерфакс|тасс|epd|kna|sid)([,/ ]+(afp|ap|dpa|reuters|efe|ansa|tass))*\)?\.?$",  # 24 on 18 sites, 96 %
        r"^(reuters|afp|ap|epa|epa-efe|getty images|dpa|picture alliance|anadolu|xinhua|tass|ria novosti)\s*([/|-]|\s-\s).{0,60}$",  # 31 on 5 sites, 100 %
        r"^(staff and agencies|staff reporters?|agencies|agences|agenturen|agencias|redacción|редакция)$",  # 16 on 6 sites, 100 %
        # "Reporting by ..." (4 on 3 sites, 100 %); "by" required: "Writing in the Sunday Star-Times, ..." is text (L3S-GN1)
        r"^((additional )?reporting|writing|editing|compiled|mitarbeit|rédaction)\s+(by|par|von|por)\b.{0,200}$",
        r"^(tags|topics|themen|schlagworte|mots-clés|sujets|etiquetas|temas|теги|темы)\s*:.*$",  # 39 on 26 sites, 100 %
        r"^(photo|foto|фото|image|bild|crédit photo|photo credit|credit)\s*:.*$",  # 33 on 14 sites, 100 %
        r"^(©|\(c\)|copyright)\s*.*$",  # 736 on 384 sites, 99 %
        r"^(our standards|nos standards|unsere standards)\b.*$",  # 3 on 2 sites (Reuters' trust principles), 100 %
        r"^support (the|us|our)\b.{0,80}$",  # 9 on 6 sites ("Support The Guardian"), 100 %
        r"^.*\b(all rights reserved|tous droits réservés|alle rechte vorbehalten|todos los derechos reservados|все права защищены)\b.*$",  # 382 on 228 sites, 97 %
        # dates shown as page furniture (the value is picked up as metadata): 334 on 113 sites, 100 %
        r"^(published|updated|last updated|posted|publié|mis à jour|stand|veröffentlicht|aktualisiert|publicado|actualizado|pubblicato|aggiornato|опубликовано|обновлено)\b\s*(on|le|am|el|il)?\s*:?\s*[\d\w .,:/-]{0,40}(uhr|h|utc|gmt|cet|cest|мск)?$",
        # newsletters, subscriptions, apps, social
        r"^(i\s+)?(subscribe|je m'abonne|s'abonner|abonnieren|jetzt abonnieren|suscríbete|suscribirse|abbonati|подписаться|подпишитесь)!?$",  # 148 on 82 sites, 100 %
        r"\b(newsletter|infolettre|boletín|рассылк)",  # 523 on 166 sites, 100 %
        r"\b(receive|get|recevez|erhalten sie|recibe)\b.*\b(news|nouvelles|informations|actualité|nachrichten|noticias)\b.*\b(mailbox|inbox|e-?mail|boîte|postfach|correo)\b",  # 20 on 16 sites, 100 %
        r"\b(download(ing)?|télécharge(z|ant)?|herunterladen|laden sie|descarga|descargando|скачайте|скачивая)\b.*\b(app|application|appli|aplicación|приложение)\b",  # 4 on 2 sites, 100 %
        r"^(follow|suivez|suivre|folgen sie|síguenos|seguici|подписывайтесь)\b.*\b(on|sur|auf|en|su|в|us|nous|uns)\b.*$",  # 74 on 33 sites, 100 %
        r"^(follow|suivre|folgen|seguir)$",  # 5 on 2 sites, 100 %
        r"\b(we use cookies|nous utilisons des cookies|wir verwenden cookies|utilizamos cookies|usiamo i cookie|мы используем (файлы )?cookie)",  # 5 on 2 sites, 100 %
        # site furniture
        r"^(skip to (main )?content|aller au contenu|zum inhalt springen|ir al contenido|перейти к содержанию)$",  # 47 on 29 sites, 100 %
        r"^(menu|search|suche|rechercher|buscar|поиск|home|accueil|startseite|inicio|главная|log ?in|sign ?in|se connecter|anmelden|войти)$",  # 786 on 292 sites, 100 %
        r"^(watch|voir|regarder|video ansehen|ver|guarda|смотреть)\b.{0,30}\b(video|vidéo|vídeo|видео)\b.*$",  # 15 on 5 sites, 100 %
        r"^(video|vidéo|vídeo|видео|audio|podcast)\b\s*:?\s*\d{1,2}:\d{2}.*$",  # 4 on 3 sites, 100 %
        r"^(listen|écouter|anhören|escuchar|ascolta|слушать)\b.{0,40}$",  # 24 on 18 sites, 96 %
    )
)

# Short lines (a dozen words at most) with one of these words are share bars and prompts. 283 on 106 sites, 100 %.
SHORT_LINE_WORDS = re.compile(r"\b(share|partager|teilen|compartir|condividi|поделиться|сохранить|imprimer|drucken)\b", _I)

# A "related articles" header ("Read also", "Lesen Sie auch"). 289 on 150 sites, 100 %.
RELATED_HEADER = re.compile(
    r"^(on the same subject|related( articles| stories| content| news)?|more on this( story| topic)?|read also|see also|more from .{1,30}|"
    r"most (viewed|read|popular)|read next|explore more( on these topics)?|trending|"
    r"les plus lus|meistgelesen|meistgelesene artikel|lo más leído|самое читаемое|самое популярное|"
    r"sur le même sujet|à lire aussi|lire aussi|voir aussi|dans la même rubrique|"
    r"lesen sie auch|mehr zum thema|das könnte sie auch interessieren|auch interessant|weitere artikel|"
    r"te puede interesar|lee también|noticias relacionadas|más noticias|"
    r"leggi anche|potrebbe interessarti|"
    r"читайте также|по теме|смотрите также|другие новости)\s*:?$",
    _I,
)

# The prompt before a link to another article: "Read also: <headline>", "Читайте также: ...".
_RELATED_PROMPT_WORDS = (
    r"related|see also|read also|also read|read more|lire aussi|à lire aussi|voir aussi|lire également|"
    r"lesen sie auch|mehr dazu|mehr zum thema|lee también|lea también|ver también|leggi anche|читайте также|смотрите также"
)
# Such a prompt and the linked headline on one line is furniture whatever the classifier says:
# 6 on 5 sites, 100 % (too few for the line model to learn them).
RELATED_PROMPT = re.compile(rf"^\s*(?:{_RELATED_PROMPT_WORDS})\s*:\s*\S", _I)
# A teaser line pointing elsewhere: "► See also: ...", "» Lesen Sie auch: ...", "> Sport". 439 on 56 sites, 100 %.
TEASER = re.compile(rf"^\s*([►▶▸→»>]+|({_RELATED_PROMPT_WORDS})\s*:)", _I)

# A media player stub: a duration alone or after a few words ("14:58", "Video 01:45"). 56 on 6 sites, 100 %.
MEDIA_MARKER = re.compile(r"^([^\W\d]+\s+){0,3}\d{1,2}:\d{2}$")

# A menu flattened to one line: "News   Sport   Business", "Home | World | UK", "Sport › Football".
# (``is_menu``: 566 on 205 sites, 100 %.)
MENU_SEPARATOR = re.compile(r"\s{2,}|\s+[|›>·•/]\s+")

LIST_BULLET = re.compile(r"^\s*[•·▪◦●■\-–*]\s+\S")
NUMBERED_ITEM = re.compile(r"^\s*\d{1,2}[.)]\s+\S")

# The tail of a photo caption naming the agency: "... à Dnipro en Ukraine. HANDOUT / AFP" (Le Figaro, fundus).
# (``is_caption_with_credit``: 389 on 145 sites, 97 %.)
CAPTION_CREDIT = re.compile(
    r"(?:[.!?»\"]\s+|\s[|/–-]\s*|\()"
    r"(?:(?i:photo|photograph|foto|фото|bild|image|crédit|credit)\s*:\s*[^.]{1,60}|©\s*[^.]{1,60}|"
    r"(?:[A-ZÄÖÜ][A-ZÄÖÜ.&]+(?:[ /-]+[A-ZÄÖÜ][A-ZÄÖÜ.&]+){0,4})"
    r"(?:(?:\s+[-–]\s+|/)[A-Za-z][\w ]{0,30})?)\)?\s*$"
)

# Boilerplate lines are short; a long line that happens to contain "newsletter"
# or "download the app" is text (or a whole page flattened to one line).
MAX_BOILERPLATE_WORDS = 40
# A caption is a sentence or two; a longer line ending with a credit is a paragraph signed by an agency.
MAX_CAPTION_WORDS = 30

SENTENCE_END = re.compile(r"[.!?…:;。！？][\"'»”’)\]」』）]*\s*$|[\"»”]\s*$")


def matches_pattern(text: str) -> bool:
    """True when the whole paragraph is a known kind of boilerplate."""
    stripped = text.strip()
    words = word_count(stripped)
    if words > MAX_BOILERPLATE_WORDS:
        return False
    if words <= 12 and SHORT_LINE_WORDS.search(stripped) and not SENTENCE_END.search(stripped):
        return True
    if RELATED_HEADER.match(stripped) or (words <= 6 and MEDIA_MARKER.match(stripped)):
        return True
    return any(p.search(stripped) for p in LINE_PATTERNS) or bool(TEASER.match(stripped))


def is_headline_like(text: str) -> bool:
    """Short and without sentence-final punctuation: a heading, caption or link text."""
    return word_count(text) <= 16 and not SENTENCE_END.search(text)


def is_menu(text: str) -> bool:
    """Three or more short items separated by wide spaces or bars, and no sentence."""
    items = [item for item in MENU_SEPARATOR.split(text.strip()) if item]
    return len(items) >= 3 and all(word_count(item) <= 3 for item in items) and not SENTENCE_END.search(text)


def is_caption_with_credit(text: str) -> bool:
    """A photo caption that ends with its credit ("... HANDOUT / AFP", "Foto: dpa")."""
    if word_count(text) > MAX_CAPTION_WORDS:
        return False
    match = CAPTION_CREDIT.search(text.strip())
    if not match:
        return False
    credit = match.group(0)
    # An all-caps tail must be a short credit, not an acronym ending a real sentence ("... said NATO.").
    named = re.search(r"(?i:photo|photograph|foto|фото|bild|image|crédit|credit)\s*:|©", credit) is not None
    return word_count(credit) <= (10 if named else 6) and not text.strip().endswith(".")
