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

# A whole paragraph matching one of these is boilerplate.
LINE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, _I)
    for p in (
        # reading time, share bars, ads
        r"^\d{1,2}\s*(min|mins|minutes?|minuten|мин)\.?(\s*(read|de lecture|lesezeit|de lectura|lettura|чтения))?$",
        r"^(lesezeit|temps de lecture|reading time|tiempo de lectura|время чтения)\s*:?\s*\d+.*$",
        r"^(advertisement|publicité|anzeige|werbung|publicidad|pubblicità|реклама)$",
        r"^(read more|lire plus|en savoir plus|weiterlesen|mehr lesen|leer más|leggi (anche|di più)|читать (далее|полностью))$",
        r"^(comments?|commentaires?|kommentare?|comentarios?|комментарии)\s*(\(\d+\))?$",
        r"^(print|imprimer|drucken|imprimir|печать)$",
        # bylines and agency credits
        r"^(text|texte|texto|testo)\s+(by|par|von|por|di)\s*:.*$",
        r"^[a-zäöüß]{1,5}(/[a-zäöüß]{1,5})+(\s*\([^)]*\))?$",  # "wd/sri (AP, AFP)"
        r"^\(?(afp|ap|dpa|reuters|efe|ansa|tass|ria novosti|ria|интерфакс|тасс|epd|kna|sid)([,/ ]+(afp|ap|dpa|reuters|efe|ansa|tass))*\)?\.?$",
        r"^(reuters|afp|ap|epa|epa-efe|getty images|dpa|picture alliance|anadolu|xinhua|tass|ria novosti)\s*([/|-]|\s-\s).{0,60}$",
        r"^(with|avec|mit|con)\s+(afp|ap|dpa|reuters|efe|ansa|agencies|agences|agenturen|agencias)\.?$",
        r"^(staff and agencies|staff reporters?|agencies|agences|agenturen|agencias|redacción|редакция)$",
        r"^((additional )?reporting|writing|editing|compiled|mitarbeit|redaktion|rédaction)\s+(by|par|von|por)?\b.{0,200}$",
        r"^(with|avec|von|de|от)\s+(our|notre|nos|unserem|unserer|nuestro|nuestra|нашего|нашей)\s+(\w+\s+)?(correspondent|correspondante?|envoyée? spéciale?|korrespondent(in|en)?|corresponsal|enviado|корреспондента?)\b.*$",
        r"^(tags|topics|themen|schlagworte|mots-clés|sujets|etiquetas|temas|теги|темы)\s*:.*$",
        r"^(photo|foto|фото|image|bild|crédit photo|photo credit|credit)\s*:.*$",
        r"^(©|\(c\)|copyright)\s*.*$",
        r"\b(при (полном или частичном )?использовании материалов|reproduction (interdite|réservée)|nachdruck nur mit|prohibida (su )?reproducción)",
        r"^(our standards|nos standards|unsere standards)\b.*$",
        r"^support (the|us|our)\b.{0,80}$",
        r"^.*\b(all rights reserved|tous droits réservés|alle rechte vorbehalten|todos los derechos reservados|все права защищены)\b.*$",
        # dates shown as page furniture (the value is picked up as metadata)
        r"^(published|updated|last updated|posted|publié|mis à jour|stand|veröffentlicht|aktualisiert|publicado|actualizado|pubblicato|aggiornato|опубликовано|обновлено)\b\s*(on|le|am|el|il)?\s*:?\s*[\d\w .,:/-]{0,40}(uhr|h|utc|gmt|cet|cest|мск)?$",
        # newsletters, subscriptions, apps, social
        r"^(i\s+)?(subscribe|je m'abonne|s'abonner|abonnieren|jetzt abonnieren|suscríbete|suscribirse|abbonati|подписаться|подпишитесь)!?$",
        r"\b(newsletter|infolettre|boletín|рассылк)",
        r"\b(receive|get|recevez|erhalten sie|recibe)\b.*\b(news|nouvelles|informations|actualité|nachrichten|noticias)\b.*\b(mailbox|inbox|e-?mail|boîte|postfach|correo)\b",
        r"\b(download(ing)?|télécharge(z|ant)?|herunterladen|laden sie|descarga|descargando|скачайте|скачивая)\b.*\b(app|application|appli|aplicación|приложение)\b",
        r"^(follow|suivez|suivre|folgen sie|síguenos|seguici|подписывайтесь)\b.*\b(on|sur|auf|en|su|в|us|nous|uns)\b.*$",
        r"^(follow|suivre|folgen|seguir)$",
        r"\b(we use cookies|nous utilisons des cookies|wir verwenden cookies|utilizamos cookies|usiamo i cookie|мы используем (файлы )?cookie)",
        r"^(accept|accepter|akzeptieren|aceptar|accetta|принять)( all| tout| alle| todo| tutti| все)?( cookies)?$",
        # site furniture
        r"^(skip to (main )?content|aller au contenu|zum inhalt springen|ir al contenido|перейти к содержанию)$",
        r"^(menu|search|suche|rechercher|buscar|поиск|home|accueil|startseite|inicio|главная|log ?in|sign ?in|se connecter|anmelden|войти)$",
        r"^(watch|voir|regarder|video ansehen|ver|guarda|смотреть)\b.{0,30}\b(video|vidéo|vídeo|видео)\b.*$",
        r"^(video|vidéo|vídeo|видео|audio|podcast)\b\s*:?\s*\d{1,2}:\d{2}.*$",
        r"^(listen|écouter|anhören|escuchar|ascolta|слушать)\b.{0,40}$",
    )
)

# Short lines (a dozen words at most) with one of these words are share bars and prompts.
SHORT_LINE_WORDS = re.compile(r"\b(share|partager|teilen|compartir|condividi|поделиться|сохранить|imprimer|drucken)\b", _I)

# A "related articles" header ("Read also", "Lesen Sie auch").
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

# A teaser line pointing elsewhere: "► See also: ...", "» Lesen Sie auch: ...".
TEASER = re.compile(
    r"^\s*([►▶▸→»>]+|(related|see also|read also|read more|lire aussi|à lire aussi|voir aussi|lesen sie auch|mehr dazu|lee también|ver también|leggi anche|читайте также)\s*:)",
    _I,
)

# A media player stub: "Watch video 02:09", "Audio 01:12": a few words, then a duration.
MEDIA_MARKER = re.compile(r"^([^\W\d]+\s+){0,3}\d{1,2}:\d{2}$")

# A menu flattened to one line: "News   Sport   Business", "Home | World | UK", "Sport › Football".
MENU_SEPARATOR = re.compile(r"\s{2,}|\s+[|›>·•/]\s+")

LIST_BULLET = re.compile(r"^\s*[•·▪◦●■\-–*]\s+\S")
NUMBERED_ITEM = re.compile(r"^\s*\d{1,2}[.)]\s+\S")

# The tail of a photo caption naming the agency: "... July 28, 2021. REUTERS - HANDOUT".
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
    """A photo caption that ends with its credit ("... REUTERS - HANDOUT", "Foto: dpa")."""
    if word_count(text) > MAX_CAPTION_WORDS:
        return False
    match = CAPTION_CREDIT.search(text.strip())
    if not match:
        return False
    credit = match.group(0)
    # An all-caps tail must be a short credit, not an acronym ending a real sentence ("... said NATO.").
    named = re.search(r"(?i:photo|photograph|foto|фото|bild|image|crédit|credit)\s*:|©", credit) is not None
    return word_count(credit) <= (10 if named else 6) and not text.strip().endswith(".")
