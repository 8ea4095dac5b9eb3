"""The in-memory search index of the catalogue: built from the products' names and descriptions
in every locale, then asked for the products matching a query's terms, best first.

What a query term can match, strongest first (`Match`):
- the same word (`funghi`, a number such as `25`, a sign such as `%`), or Chinese text that is
  one or more whole words of the text it is found in (香菇 in 庆元/干/香菇), or pinyin of whole
  Chinese words (`xianggu`, `xiang gu`);
- the same Snowball stem in one of the Latin-script languages (`cogumelos` ~ `cogumelo`);
- a synonym (`services.demo_synonyms`: `azeite` also looks for `óleo`);
- part of a word, in names only: a word starting with the term (`bambus` → `Bambussprossen`),
  in German and Dutch also ending with it (`tee` → `Bergtee`), Chinese inside a longer word,
  pinyin across word boundaries. A single Chinese character matches a name's word of one or two
  characters that holds it (米 finds 大米 and 米粉), and a description's word only when it is
  that word alone, never a character inside a longer word (米 does not find 萨拉米 or 厘米);
- a typo: a Latin-script word of five letters or more that matches nothing else is looked up at
  one edit (a wrong, missing, extra or swapped letter) from the catalogue's words.

Points depend on where the match is: the name in the buyer's language, another language's name,
or a description; a match at the start of a name earns a bonus."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from domain.search_text import (
    COMPOUNDING_LOCALES,
    STEMMERS,
    Token,
    TokenKind,
    chinese_words,
    is_pinyin_candidate,
    is_stopword,
    normalize,
    pinyin_key,
    pinyin_syllables,
    query_terms,
    stem,
    tokenize,
    warm_up,
)


class Match(IntEnum):
    TYPO = 1
    PARTIAL = 2
    SYNONYM = 3
    STEM = 4
    EXACT = 5


OWN_NAME_POINTS = {
    Match.EXACT: 10,
    Match.STEM: 9,
    Match.SYNONYM: 8,
    Match.PARTIAL: 5,
    Match.TYPO: 4,
}
NAME_POINTS = {Match.EXACT: 6, Match.STEM: 5, Match.SYNONYM: 4, Match.PARTIAL: 3, Match.TYPO: 2}
DESCRIPTION_POINTS = {
    Match.EXACT: 2,
    Match.STEM: 2,
    Match.SYNONYM: 1,
    Match.PARTIAL: 1,
    Match.TYPO: 1,
}
NAME_START_BONUS = 2  # for a whole-word match (exact, stem or synonym) at the start of a name

# Letters a term needs to match the start (or end) of longer words: three in the buyer's own
# language's names (`tee` → `Bergtee` for a German), four in the others' (`cha` is no
# `champignons` for a Portuguese).
MIN_PARTIAL_LENGTH = 3
MIN_FOREIGN_PARTIAL_LENGTH = 4
MAX_PARTIAL_WORDS = 64  # longer words one term may match that way
MIN_TYPO_LENGTH = 5
MAX_TYPOS = 1
MAX_PINYIN_SYLLABLES = 8  # the longest pinyin run indexed, and the most query words it spans

Synonyms = Mapping[str, Mapping[str, Sequence[str]]]


@dataclass(frozen=True)
class Entry:
    """What the index is built from: one product on sale."""

    id: int
    position: int  # within its category
    names: Mapping[str, str]
    descriptions: Mapping[str, str]
    category_position: int = 0


@dataclass(frozen=True)
class Ranked:
    id: int
    matched: int  # how many of the query's terms the product matched
    score: int


class Posting(NamedTuple):
    doc: int  # the product's place in the index
    locale: str  # the language of the text
    is_name: bool
    at_start: bool  # the first word of a name
    match: Match


@dataclass(frozen=True)
class _ChineseRun:
    """A run of Chinese characters in one text, with the offsets where its words start or end."""

    locale: str
    is_name: bool
    text: str
    bounds: frozenset[int]
    at_start: bool


class SearchIndex:
    def __init__(self, entries: Iterable[Entry], synonyms: Synonyms | None = None) -> None:
        warm_up()  # the build runs off the event loop: the first query need not load anything
        self._ids: list[int] = []
        self._positions: list[tuple[int, int]] = []  # (category's position, product's)
        self._runs: list[list[_ChineseRun]] = []
        self._words: dict[str, set[Posting]] = defaultdict(set)  # words, numbers, signs
        self._name_words: dict[str, set[Posting]] = defaultdict(set)  # letter words of names
        self._stems: dict[tuple[str, str], set[Posting]] = defaultdict(set)
        self._chars: dict[str, set[Posting]] = defaultdict(set)  # single Chinese characters
        self._bigrams: dict[str, set[int]] = defaultdict(set)  # Chinese character pairs
        self._pinyin: dict[str, set[Posting]] = defaultdict(set)
        typo_words: set[str] = set()
        for entry in entries:
            self._add(entry, typo_words)
        self._prefixes = sorted(self._name_words)
        self._suffixes = sorted(
            word[::-1]
            for word, postings in self._name_words.items()
            if any(p.locale in COMPOUNDING_LOCALES for p in postings)
        )
        self._typo_words = sorted(typo_words)
        self._synonym_words: dict[str, set[Token]] = defaultdict(set)
        self._synonym_stems: dict[tuple[str, str], set[Token]] = defaultdict(set)
        # Keys the query segments into several words (苦茶油 → 苦 茶油): the words in a row.
        self._synonym_phrases: dict[tuple[str, ...], set[Token]] = defaultdict(set)
        for locale, table in (synonyms or {}).items():
            for key, expansions in table.items():
                self._add_synonym(locale, key, expansions)

    # Building

    def _add(self, entry: Entry, typo_words: set[str]) -> None:
        doc = len(self._ids)
        self._ids.append(entry.id)
        self._positions.append((entry.category_position, entry.position))
        self._runs.append([])
        for locale, name in entry.names.items():
            if name:
                self._add_text(doc, locale, name, is_name=True, typo_words=typo_words)
        for locale, text in entry.descriptions.items():
            if text:
                self._add_text(doc, locale, text, is_name=False, typo_words=typo_words)

    def _add_text(
        self, doc: int, locale: str, text: str, *, is_name: bool, typo_words: set[str]
    ) -> None:
        first = True
        for token in tokenize(normalize(text)):
            if token.kind is TokenKind.WORD and is_stopword(locale, token.text):
                continue  # `de` in a French text, `te` in a Dutch one: not indexed
            at_start = is_name and first
            first = False
            posting = Posting(doc, locale, is_name, at_start, Match.EXACT)
            if token.kind is TokenKind.CJK:
                self._add_chinese(posting, token.text, typo_words)
                continue
            self._words[token.text].add(posting)
            if token.kind is not TokenKind.WORD:
                continue
            if locale in STEMMERS:
                self._stems[(locale, stem(locale, token.text))].add(posting)
            if is_name:
                self._name_words[token.text].add(posting)
            if len(token.text) >= MIN_TYPO_LENGTH - MAX_TYPOS:
                typo_words.add(token.text)

    def _add_chinese(self, posting: Posting, run: str, typo_words: set[str]) -> None:
        doc, locale, is_name, at_start, _ = posting
        words = chinese_words(run)
        starts = []
        offset = 0
        for word in words:
            starts.append(offset)
            first = at_start and offset == 0
            if len(word) == 1:
                self._chars[word].add(posting._replace(at_start=first))
            elif len(word) == 2 and is_name:
                for char in set(word):
                    self._chars[char].add(posting._replace(at_start=first, match=Match.PARTIAL))
            offset += len(word)
        bounds = frozenset([*starts, len(run)])
        self._runs[doc].append(_ChineseRun(locale, is_name, run, bounds, at_start))
        for i in range(len(run) - 1):
            self._bigrams[run[i : i + 2]].add(doc)
        if is_name:
            self._add_pinyin(posting, run, bounds, typo_words)

    def _add_pinyin(
        self, posting: Posting, run: str, bounds: frozenset[int], typo_words: set[str]
    ) -> None:
        """Every stretch of two syllables or more of a name's Chinese run, as one key: 庆元干香菇
        gives `qingyuan`, `xianggu`, `ganxianggu`, `yuangan`... Whole words match best."""
        syllables = pinyin_syllables(run)
        for start in range(len(syllables)):
            key = syllables[start]
            for end in range(start + 2, min(len(syllables), start + MAX_PINYIN_SYLLABLES) + 1):
                if not key or not syllables[end - 1]:
                    break
                key += syllables[end - 1]
                whole = start in bounds and end in bounds
                match = Match.EXACT if whole else Match.PARTIAL
                self._pinyin[key].add(
                    posting._replace(at_start=posting.at_start and start == 0, match=match)
                )
                if whole and len(key) >= MIN_TYPO_LENGTH - MAX_TYPOS:
                    typo_words.add(key)

    def _add_synonym(self, locale: str, key: str, expansions: Sequence[str]) -> None:
        found = {token for expansion in expansions for token in tokenize(normalize(expansion))}
        keys = query_terms(key)  # segmented as a query is: 苦茶油 is 苦 茶油
        if not keys or any(token.kind is not TokenKind.CJK for token in keys[1:]):
            raise ValueError(f"a synonym key is one word (or one Chinese phrase): {key!r}")
        if len(keys) > 1:
            self._synonym_phrases[tuple(token.text for token in keys)] |= found
            return
        (token,) = keys
        self._synonym_words[token.text] |= found
        if token.kind is TokenKind.WORD and locale in STEMMERS:
            self._synonym_stems[(locale, stem(locale, token.text))] |= found

    # Searching

    def search(self, terms: Sequence[Token], locale: str) -> list[Ranked]:
        """Products matching the terms, best first: those matching every term when there are
        any, otherwise those matching the most terms first."""
        points: list[dict[int, int]] = [{} for _ in terms]
        for term, found in zip(terms, points, strict=True):
            self._match_term(term, locale, found)
        self._match_pinyin(terms, locale, points)
        for term, found in zip(terms, points, strict=True):
            if not found and term.kind is TokenKind.WORD and len(term.text) >= MIN_TYPO_LENGTH:
                self._match_typo(term.text, locale, found)
        bonus = self._match_phrases(terms, locale, points)
        totals: dict[int, list[int]] = {}
        for found in points:
            for doc, value in found.items():
                total = totals.setdefault(doc, [0, 0])
                total[0] += 1
                total[1] += value
        for doc, value in bonus.items():
            if doc in totals:
                totals[doc][1] += value
        if not totals:
            return []
        best = max(matched for matched, _ in totals.values())
        rows = [
            (matched, score, doc)
            for doc, (matched, score) in totals.items()
            if best < len(terms) or matched == best
        ]
        # Ties in catalogue order: the category's place, the product's place in it, its id.
        rows.sort(key=lambda row: (-row[0], -row[1], self._positions[row[2]], self._ids[row[2]]))
        return [Ranked(self._ids[doc], matched, score) for matched, score, doc in rows]

    def _match_term(self, term: Token, locale: str, found: dict[int, int]) -> None:
        if term.kind is TokenKind.WORD:
            self._match_word(term.text, locale, found, Match.EXACT)
            self._match_partial(term.text, locale, found)
        elif term.kind is TokenKind.CJK:
            self._match_chinese(term.text, locale, found, Match.EXACT)
        else:
            self._credit(found, self._words.get(term.text, ()), locale, Match.EXACT)
        for synonym in self._expansions(term):
            self._match_expansion(synonym, locale, found)

    def _match_phrases(
        self, terms: Sequence[Token], locale: str, points: list[dict[int, int]]
    ) -> dict[int, int]:
        """Synonym keys of several words found in a row in the query: their expansions match
        each of those words, and count once more on top (苦茶油 is 山茶油 above all)."""
        bonus: dict[int, int] = {}
        if not self._synonym_phrases:
            return bonus
        texts = [term.text for term in terms]
        for phrase, expansions in self._synonym_phrases.items():
            size = len(phrase)
            for start in range(len(texts) - size + 1):
                if tuple(texts[start : start + size]) != phrase:
                    continue
                found: dict[int, int] = {}
                for synonym in expansions:
                    self._match_expansion(synonym, locale, found)
                for doc, value in found.items():
                    bonus[doc] = max(bonus.get(doc, 0), value)
                    for term_points in points[start : start + size]:
                        if value > term_points.get(doc, 0):
                            term_points[doc] = value
        return bonus

    def _match_expansion(self, synonym: Token, locale: str, found: dict[int, int]) -> None:
        if synonym.kind is TokenKind.WORD:
            self._match_word(synonym.text, locale, found, Match.SYNONYM)
        elif synonym.kind is TokenKind.CJK:
            self._match_chinese(synonym.text, locale, found, Match.SYNONYM)
        else:
            self._credit(found, self._words.get(synonym.text, ()), locale, Match.SYNONYM)

    def _match_word(self, word: str, locale: str, found: dict[int, int], via: Match) -> None:
        self._credit(found, self._words.get(word, ()), locale, via)
        stem_via = min(via, Match.STEM)
        for language in STEMMERS:
            postings = self._stems.get((language, stem(language, word)))
            if postings:
                self._credit(found, postings, locale, stem_via)

    def _match_partial(self, word: str, locale: str, found: dict[int, int]) -> None:
        if len(word) < MIN_PARTIAL_LENGTH:
            return
        foreign = len(word) >= MIN_FOREIGN_PARTIAL_LENGTH

        def allowed(postings: Iterable[Posting]) -> list[Posting]:
            return [p for p in postings if foreign or p.locale == locale]

        for longer in _starting_with(self._prefixes, word):
            self._credit(found, allowed(self._name_words[longer]), locale, Match.PARTIAL)
        for reversed_longer in _starting_with(self._suffixes, word[::-1]):
            postings = self._name_words[reversed_longer[::-1]]
            compounds = [p for p in allowed(postings) if p.locale in COMPOUNDING_LOCALES]
            # The end of a compound names what the product is (a `Bergtee` is a `Tee`): in the
            # buyer's own language it ranks like a name's first word, above the whole word
            # elsewhere in a name (`Geschenkbox Tee und Kamelienöl`).
            own = [p._replace(at_start=True) for p in compounds if p.locale == locale]
            self._credit(found, own, locale, Match.EXACT)
            others = [p for p in compounds if p.locale != locale]
            self._credit(found, others, locale, Match.PARTIAL)

    def _match_chinese(self, text: str, locale: str, found: dict[int, int], via: Match) -> None:
        if len(text) == 1:
            self._credit(found, self._chars.get(text, ()), locale, via)
            return
        docs: set[int] | None = None
        for i in range(len(text) - 1):
            holders = self._bigrams.get(text[i : i + 2])
            if not holders:
                return
            docs = set(holders) if docs is None else docs & holders
        for doc in docs or ():
            postings = []
            for run in self._runs[doc]:
                start = run.text.find(text)
                while start >= 0:
                    whole = start in run.bounds and start + len(text) in run.bounds
                    match = Match.EXACT if whole else Match.PARTIAL
                    if run.is_name or whole or via is Match.EXACT:
                        first = run.at_start and start == 0
                        postings.append(Posting(doc, run.locale, run.is_name, first, match))
                    start = run.text.find(text, start + 1)
            self._credit(found, postings, locale, via)

    def _match_pinyin(
        self, terms: Sequence[Token], locale: str, points: list[dict[int, int]]
    ) -> None:
        """Consecutive words read as pinyin: `xianggu`, `xiang gu`."""
        for start in range(len(terms)):
            key = ""
            for end in range(start, min(len(terms), start + MAX_PINYIN_SYLLABLES)):
                if not is_pinyin_candidate(terms[end]):
                    break
                key += pinyin_key(terms[end].text)
                postings = self._pinyin.get(key)
                if postings:
                    for found in points[start : end + 1]:
                        self._credit(found, postings, locale, Match.EXACT)

    def _match_typo(self, word: str, locale: str, found: dict[int, int]) -> None:
        near = process.extract(
            word, self._typo_words, scorer=OSA.distance, score_cutoff=MAX_TYPOS, limit=None
        )
        for candidate, _distance, _ in near:
            self._credit(found, self._words.get(candidate, ()), locale, Match.TYPO)
            self._credit(found, self._pinyin.get(candidate, ()), locale, Match.TYPO)

    def _expansions(self, term: Token) -> set[Token]:
        expansions = set(self._synonym_words.get(term.text, ()))
        if term.kind is TokenKind.WORD:
            for language in STEMMERS:
                expansions |= self._synonym_stems.get((language, stem(language, term.text)), set())
        expansions.discard(term)
        return expansions

    @staticmethod
    def _credit(
        found: dict[int, int], postings: Iterable[Posting], locale: str, via: Match
    ) -> None:
        """Give each posting's product the points of its match, if better than what it has."""
        for posting in postings:
            match = min(posting.match, via)
            if posting.is_name:
                table = OWN_NAME_POINTS if posting.locale == locale else NAME_POINTS
                value = table[match]
                if posting.at_start and match >= Match.SYNONYM:
                    value += NAME_START_BONUS
            else:
                value = DESCRIPTION_POINTS[match]
            if value > found.get(posting.doc, 0):
                found[posting.doc] = value


def _starting_with(ordered: list[str], prefix: str) -> list[str]:
    """The words of a sorted list that start with `prefix` and are longer than it (a bounded
    number of them)."""
    found: list[str] = []
    i = bisect_left(ordered, prefix)
    while i < len(ordered) and ordered[i].startswith(prefix) and len(found) < MAX_PARTIAL_WORDS:
        if ordered[i] != prefix:
            found.append(ordered[i])
        i += 1
    return found
