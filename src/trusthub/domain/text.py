"""Text hygiene: which characters a stored value may hold, decided once for every field.

Free text (names, addresses, titles, display names, reasons) is stored in Unicode NFC, so that
the same name typed as composed or decomposed characters is stored, compared and searched
alike, and length caps count what a reader sees. Refused everywhere, because they break
storage, email or display, or make two different strings look the same:
- lone surrogates (category Cs): not text at all; no database or encoder accepts them;
- control characters (Cc), NUL and tab and line breaks included: values are single-line;
- line and paragraph separators (Zl, Zp: U+2028, U+2029): line breaks in disguise, which split
  email headers;
- bidirectional overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069), which can
  show a name reversed;
- every other invisible format character (Cf: zero-width space, soft hyphen, byte order mark,
  LRM/RLM, tag characters...), except zero-width non-joiner and joiner (U+200C, U+200D)
  between two letters, marks or emoji, where Persian, Indic scripts and emoji sequences need
  them;
- values with nothing visible left once spaces, marks, format characters and invisible
  fillers (Hangul fillers, the braille blank) are set aside.
Letters of every script, combining marks, emoji, and private-use or unassigned code points
(newer than this Python's Unicode tables) are allowed."""

from __future__ import annotations

import unicodedata

ZWNJ = "\u200c"
ZWJ = "\u200d"
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and symbols that draw nothing: a name made of them looks blank.
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_NOT_VISIBLE = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})
# What a joiner may stand between: letters, marks (a virama), emoji and their modifiers.
_JOINABLE = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "So", "Sk"})


def refuse_hostile(value: str, *, joiners: bool = True) -> None:
    """Raise `ValueError` for a character no stored value may hold (see the module's list).
    `joiners=False` refuses ZWNJ/ZWJ too, for values such as URLs that have no words."""
    invisible = _scan(value, joiners=joiners)
    if invisible is not None:
        raise ValueError(invisible)


def _scan(value: str, *, joiners: bool) -> str | None:
    """Raise for a surrogate, control, separator or bidi control; return the complaint about
    the first other invisible character (the caller may have a better one: blank), or None."""
    invisible: str | None = None
    for i, c in enumerate(value):
        if c.isascii() and c.isprintable():
            continue
        category = unicodedata.category(c)
        if category == "Cs":
            raise ValueError("must not contain lone surrogates (it must be valid Unicode)")
        if category == "Cc":
            raise ValueError("must not contain control characters")
        if category in ("Zl", "Zp"):
            raise ValueError("must not contain line or paragraph separators")
        if c in BIDI_CONTROLS:
            raise ValueError(f"must not contain the bidirectional control U+{ord(c):04X}")
        if category != "Cf" or invisible is not None:
            continue
        if not (joiners and c in (ZWNJ, ZWJ) and _between_letters(value, i)):
            invisible = f"must not contain the invisible character U+{ord(c):04X}"
    return invisible


def _between_letters(value: str, i: int) -> bool:
    return (
        0 < i < len(value) - 1
        and unicodedata.category(value[i - 1]) in _JOINABLE
        and unicodedata.category(value[i + 1]) in _JOINABLE
    )


def has_visible(value: str) -> bool:
    """Whether anything would be drawn: not only spaces, marks, format characters, fillers."""
    return any(
        (c.isascii() and c.isprintable() and c != " ")
        or (c not in INVISIBLE and unicodedata.category(c) not in _NOT_VISIBLE)
        for c in value
    )


def clean_text(value: str, max_length: int, *, min_length: int = 1) -> str:
    """Trimmed NFC single-line text of at most `max_length` characters, or `ValueError`.
    With `min_length=0` a blank value comes back as "" (an optional filter, say)."""
    # NFC is linear, so a huge value costs little before its length is refused.
    cleaned = unicodedata.normalize("NFC", value.strip())
    if not cleaned and min_length == 0:
        return cleaned
    if len(cleaned) > max_length:
        raise ValueError(f"must be at most {max_length} characters")
    invisible = _scan(cleaned, joiners=True)
    if not has_visible(cleaned):
        raise ValueError("must not be blank")
    if invisible is not None:
        raise ValueError(invisible)
    if len(cleaned) < min_length:
        raise ValueError(f"must be at least {min_length} characters")
    return cleaned


def one_line(value: str) -> str:
    """`value` made safe for one line of an email (a header or a body line): every character
    that ends a line (U+2028, U+0085, CR...) or controls display becomes a space. For rows
    written before `refuse_hostile` existed; new rows hold none."""
    if value.isascii() and value.isprintable():
        return value
    return "".join(
        " " if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") or c in BIDI_CONTROLS else c
        for c in value
    )
