"""Words as PostgreSQL's ``russian`` configuration indexes them, computed in Python for SQLite.

PostgreSQL's ``russian`` configuration lower-cases, drops the stop words, stems Cyrillic words
with the Snowball Russian stemmer and Latin words with the Snowball English one, and keeps
numbers as they are. PyStemmer runs the same Snowball algorithms (both fold ``ё`` to ``е``),
so «фонарь», «фонари» and «фонарей» all become ``фонар`` on either store. What differs is
tokenising: PostgreSQL also indexes e-mail addresses, URLs and hyphenated compounds whole, as
well as their parts; here they are split into their parts only.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from projections.search_stopwords import ENGLISH, RUSSIAN

_WORD = re.compile(r"[^\W_]+")
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
