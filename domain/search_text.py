"""Text analysis for product search: tokens, word stems, Chinese words and toneless pinyin.

Pure functions over strings. Every text goes through `normalize` first: case and accents folded
(`domain.text.fold`) and Traditional Chinese characters turned into Simplified ones, so 筍乾 and
笋干, `Tè` and `te` are the same. The dictionaries (jieba's words, zhconv's characters) load once
per process, at `warm_up` or the first Chinese text (about half a second)."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import jieba
import snowballstemmer
import zhconv
from pypinyin import Style, lazy_pinyin

from domain.text import fold

# The Snowball stemmer of each locale written in the Latin script.
STEMMERS: dict[str, str] = {
    "en": "english",
    "it": "italian",
    "es": "spanish",
    "pt": "portuguese",
    "fr": "french",
    "de": "german",
    "nl": "dutch",
}
# Languages that glue nouns into compounds: `Tee` is the end of `Bergtee`, `Reis` the start of
# `Reisnudeln`.
COMPOUNDING_LOCALES = frozenset({"de", "nl"})

# Punctuation that separates words and is never searched for. Other signs (`%`, `+`, `&`) are
# tokens of their own: a query made only of such signs looks for them literally.
PUNCTUATION = frozenset(
    ".,;:!?\"'`()[]{}<>«»“”„‘’‚‹›、，。！？：；（）【】《》〈〉「」『』-‐‑‒–—―/\\|·・…"
)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN = re.compile(
    rf"(?P<cjk>[{_CJK}]+)"
    r"|(?P<number>\d+(?:[.,]\d+)*)"
    rf"|(?P<word>(?:(?![{_CJK}])[^\W\d_])+)"
    r"|(?P<sign>[^\w\s])"
)


class TokenKind(StrEnum):
    WORD = "word"  # letters: Latin script (or any script but Chinese)
    NUMBER = "number"  # digits, `1,9` written `1.9`
    CJK = "cjk"  # a run of Chinese characters (in Simplified form)
    SIGN = "sign"  # one character that is neither a letter, a digit nor punctuation


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str


def to_simplified(text: str) -> str:
    """Traditional Chinese characters as Simplified ones (other characters are kept)."""
    return zhconv.convert(text, "zh-hans")


# Variant characters written for the same word, as the form the catalogue uses: 香菰 is 香菇.
CHINESE_VARIANTS = str.maketrans({"菰": "菇"})

# Function words of each Latin-script language, folded: not indexed in a text of that language
# (a French `de` or an English `the` would match nearly every product). A query keeps them:
# Italian `tè` (folded `te`) still finds the Italian texts about tea, not Dutch `te`.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "a an and at by for from in into of on or the to with".split()  # no `tea`, `oil`
    ),
    "it": frozenset(
        "a ad al alla alle ai agli con da dal dalla dei del della delle degli di e ed gli i il "
        "in la le lo nel nella o per su sul sulla un una uno".split()
    ),
    "es": frozenset(
        "a al con de del el en la las lo los o para por un una y".split()  # no `te`
    ),
    "pt": frozenset(
        "a ao as com da das de do dos e em na nas no nos o os ou para por um uma".split()
    ),
    "fr": frozenset(
        "a au aux avec d dans de des du en et l la le les ou par pour sur un une".split()
    ),
    "de": frozenset(
        "am an auf aus dem den der des die ein eine einem einen einer fur im in mit oder und "
        "vom von zu zum zur".split()
    ),
    "nl": frozenset("aan als de een en het in met of op te tot uit van voor".split()),
}


def is_stopword(locale: str, word: str) -> bool:
    """A folded word that is a function word of the locale's language."""
    return word in STOPWORDS.get(locale, ())


def normalize(text: str) -> str:
    """Case, accents, Chinese script and variant characters folded: the form every text is
    compared in."""
    return to_simplified(fold(text)).translate(CHINESE_VARIANTS)


def tokenize(text: str) -> list[Token]:
    """The tokens of a normalized text, in order: words, numbers, Chinese runs and signs."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group()
        if kind == "cjk":
            found.append(Token(TokenKind.CJK, value))
        elif kind == "number":
            found.append(Token(TokenKind.NUMBER, value.replace(",", ".")))
        elif kind == "word":
            found.append(Token(TokenKind.WORD, value))
        elif value not in PUNCTUATION:
            found.append(Token(TokenKind.SIGN, value))
    return found


def query_terms(query: str) -> list[Token]:
    """What a query looks for, each term once: its words and numbers, its Chinese split into
    words. Signs count only in a query made of nothing else (`%` looks for a percent sign)."""
    terms: list[Token] = []
    signs: list[Token] = []
    for token in tokenize(normalize(query)):
        if token.kind is TokenKind.SIGN:
            signs.append(token)
        elif token.kind is TokenKind.CJK:
            terms.extend(Token(TokenKind.CJK, word) for word in chinese_words(token.text))
        else:
            terms.append(token)
    unique: list[Token] = []
    for term in terms or signs:
        if term not in unique:
            unique.append(term)
    return unique


def is_pinyin_candidate(token: Token) -> bool:
    """A word that could be toneless pinyin (plain ASCII letters)."""
    return token.kind is TokenKind.WORD and token.text.isascii() and token.text.isalpha()


@lru_cache(maxsize=65536)
def stem(locale: str, word: str) -> str:
    """The Snowball stem of a folded word in a locale's language (the word itself elsewhere).
    Safe from any thread: a Snowball stemmer keeps its state while it works, so each thread has
    its own (the index is built in a worker thread while queries are stemmed on the event loop);
    the cache only ever holds finished, correct stems."""
    algorithm = STEMMERS.get(locale)
    if algorithm is None:
        return word
    return _stemmer(algorithm).stemWord(word)


_thread_stemmers = threading.local()


def _stemmer(algorithm: str) -> Any:
    """This thread's Snowball stemmer of an algorithm."""
    stemmers: dict[str, Any] | None = getattr(_thread_stemmers, "stemmers", None)
    if stemmers is None:
        stemmers = _thread_stemmers.stemmers = {}
    stemmer = stemmers.get(algorithm)
    if stemmer is None:
        stemmer = stemmers[algorithm] = snowballstemmer.stemmer(algorithm)
    return stemmer


_segmenter: jieba.Tokenizer | None = None
_segmenter_lock = threading.Lock()


def _jieba() -> jieba.Tokenizer:
    global _segmenter
    with _segmenter_lock:
        if _segmenter is None:
            logging.getLogger("jieba").setLevel(logging.WARNING)
            jieba.setLogLevel(logging.WARNING)
            segmenter = jieba.Tokenizer()
            segmenter.initialize()
            _segmenter = segmenter
        return _segmenter


def warm_up() -> None:
    """Load the dictionaries (segmenter, script conversion) now rather than at the first query."""
    chinese_words(normalize("預熱"))
    pinyin_syllables("预热")


@lru_cache(maxsize=16384)
def chinese_words(run: str) -> tuple[str, ...]:
    """A run of Simplified Chinese characters split into words: 庆元干香菇 → 庆元 干 香菇."""
    if len(run) <= 1:
        return (run,) if run else ()
    return tuple(word for word in _jieba().cut(run, HMM=True) if word)


@lru_cache(maxsize=16384)
def pinyin_syllables(run: str) -> tuple[str, ...]:
    """Toneless pinyin of a run of Chinese characters, one syllable per character (ü as `u`;
    an empty string for a character pypinyin does not know)."""
    syllables = lazy_pinyin(run, style=Style.NORMAL)
    if len(syllables) != len(run):  # characters without pinyin come back merged
        syllables = [(lazy_pinyin(ch, style=Style.NORMAL) or [""])[0] for ch in run]
    return tuple(_plain_pinyin(syllable) for syllable in syllables)


def _plain_pinyin(syllable: str) -> str:
    syllable = fold(syllable).replace("v", "u")
    return syllable if syllable.isascii() and syllable.isalpha() else ""


def pinyin_key(text: str) -> str:
    """How typed pinyin is looked up: `lvcha`, `lücha` and `lucha` alike."""
    return fold(text).replace("v", "u")
