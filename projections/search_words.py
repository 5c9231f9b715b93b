"""Words as PostgreSQL's ``russian`` configuration indexes them, computed in Python for SQLite.

PostgreSQL's ``russian`` configuration lower-cases, drops the stop words, stems Cyrillic words
with the Snowball Russian stemmer and Latin words with the Snowball English one, and keeps
numbers as they are. PyStemmer runs the same Snowball algorithms (both fold ``ё`` to ``е``),
so «фонарь», «фонари» and «фонарей» all become ``фонар`` on either store. What differs is
tokenising: PostgreSQL also indexes e-mail addresses, URLs and hyphenated compounds whole, as
well as their parts; here they are split into their parts only.

Neither store indexes platform identifiers (``indexable``): the reference lines a channel
appends for attachments (``[attachment: photo612444319_457239017, …]``, see
``channels.inbound.Attachment.line``) carry the sender's platform id, so they are left out,
and so is every token with a long run of digits (ids, phone numbers, account numbers) or a
long mix of letters and digits (file ids), wherever it stands in the text.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from projections.search_stopwords import ENGLISH, RUSSIAN

_WORD = re.compile(r"[^\W_]+")
_ATTACHMENT_LINE = re.compile(r"^\[attachment: [^\n]*\]$", re.MULTILINE)
_TOKEN = re.compile(r"\S+")
_LONG_DIGITS = re.compile(r"\d{6}")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
ID_MIXED_FROM = 8
"""A token of letters and digits this long or longer is taken for an identifier."""
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")
_RUSSIAN = Stemmer.Stemmer("russian")
_ENGLISH = Stemmer.Stemmer("english")


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str | None:
    if _CYRILLIC.search(word):
        return None if word in RUSSIAN else str(_RUSSIAN.stemWord(word))
    if _LATIN.search(word) and not any(c.isdigit() for c in word):
        return None if word in ENGLISH else str(_ENGLISH.stemWord(word))
    return word


def _is_identifier(token: str) -> bool:
    if _LONG_DIGITS.search(token):
        return True
    return (
        len(token) >= ID_MIXED_FROM
        and _LETTER.search(token) is not None
        and _DIGIT.search(token) is not None
    )


def _keep(match: re.Match[str]) -> str:
    token = match.group()
    return " " if _is_identifier(token) else token


def indexable(text: str) -> str:
    """``text`` without attachment reference lines and identifier-like tokens."""
    return _TOKEN.sub(_keep, _ATTACHMENT_LINE.sub("", text))


def stems(text: str) -> list[str]:
    """The indexed terms of ``text``, in order (stop words left out)."""
    found = (_stem(word) for word in _WORD.findall(text.lower()))
    return [stem for stem in found if stem]


def match_query(text: str) -> str | None:
    """An FTS5 query matching documents with every term of ``text``; None: no terms."""
    terms = dict.fromkeys(stems(text))
    if not terms:
        return None
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)
