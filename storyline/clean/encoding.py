"""Bytes to text, repairing what was mis-encoded instead of dropping it."""

from __future__ import annotations

import codecs
import logging
import re

LOGGER = logging.getLogger(__name__)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# When charset-normalizer finds several encodings equally plausible (short texts),
# prefer the ones news sites actually used before UTF-8.
_PREFERRED = ("utf_8", "cp1252", "cp1251", "iso8859_15", "koi8_r", "cp1250", "cp1254", "cp1256", "gb18030", "shift_jis", "euc_kr")


def decode(body: bytes, *, html: bool = False) -> str:
    """Decode an article's bytes (BOM, UTF-8, the page's declared charset, else a guess)."""
    return _decode_bytes(body, html=html)


def repair(text: str) -> str:
    """Repair mojibake (``Ã©`` -> ``é``) with ftfy; NFC-normalise.

    Run on extracted text, not on whole pages: ftfy costs more than
    trafilatura itself on a 100 kB page.
    """
    import ftfy  # imported on first use: read-only commands import this module and never clean

    # Curly quotes are typography, not damage: quote detection needs « » „ “ as written.
    return ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False)


def _decode_bytes(body: bytes, *, html: bool) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if html:
        declared = _declared_charset(body)
        if declared:
            try:
                return body.decode(declared)
            except (LookupError, UnicodeDecodeError):
                LOGGER.debug("declared charset %s does not decode the page", declared)
    return _guess(body)


def _declared_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", errors="ignore").lower()
    # Browsers treat latin-1 labels as windows-1252 (WHATWG Encoding Standard); so do we.
    return "cp1252" if name in {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"} else name


def _guess(body: bytes) -> str:
    import charset_normalizer  # on first use, as ftfy

    matches = list(charset_normalizer.from_bytes(body))
    if not matches:
        return body.decode("utf-8", errors="replace")
    best = matches[0]
    tied = [m for m in matches if (m.chaos, -m.coherence) == (best.chaos, -best.coherence)]
    tied.sort(key=lambda m: _PREFERRED.index(m.encoding) if m.encoding in _PREFERRED else len(_PREFERRED))
    return str(tied[0])
