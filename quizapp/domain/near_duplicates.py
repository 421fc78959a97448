"""Near-duplicate questions: the same fact asked twice, or a stem that gives away another question's answer.

Texts are compared after ``normalise``: NFC, case-folded, punctuation and white space collapsed to one space.
Accents are KEPT: in Vietnamese they tell words apart ("năm" a year, "nam" the south; "Bác" Uncle Hồ, "bắc" the
north), so folding them would make distinct questions look alike; and the banks are written with their accents
(the import keeps them), so a stem retyped without accents is not a case worth the false alarms.

Two questions are a pair when one of these holds (thresholds below, set on the sample banks, whose 275 questions
gave no ``same_stem`` or ``same_fact`` pair and four true ``gives_away`` ones, since reworded, and on reworded
Vietnamese questions, which all give a pair; tests/domain/test_near_duplicates.py holds both):

- ``same_stem``: the normalised stems are equal (whatever the keys: then they contradict each other);
- ``same_fact``: the stems are alike (``fuzz.token_set_ratio`` ≥ ``STEM_THRESHOLD``) and the keys say the same:
  the same words, or the words of the shorter all in the longer and at least half of it (``same_answer``). A stem
  reworded, the same answer. Stems alike with different keys are different questions ("Thân phụ của Chủ tịch
  Hồ Chí Minh là ai?" / "Thân mẫu …"), and so are keys alike in letters but not in words ("Hội nghị lần thứ tư
  Ban Chấp hành Trung ương" / "… lần thứ 11 …", whose ``fuzz.ratio`` is 97);
- ``gives_away``: one question's key, when it is specific (a number, a name: a capital after the first word, or
  three words or more), stands word for word in the other's stem, and the stems share their subject
  (token_set_ratio ≥ ``GIVEAWAY_THRESHOLD``): whoever draws both reads the answer of one in the other ("Thân
  phụ của Chủ tịch Hồ Chí Minh là ai?" → Nguyễn Sinh Sắc / "Cụ Nguyễn Sinh Sắc, thân phụ của Chủ tịch Hồ Chí
  Minh, đỗ Phó bảng năm nào?"). A common one- or two-word key ("Văn hóa", "Thành công") is not looked for: it
  stands in many stems that give nothing away.

No Python loop runs over all pairs: ``rapidfuzz.process.cdist`` (C++, every core) compares the stems' word sets
all against all in blocks of rows (memory bounded), which keeps the pairs sharing enough words (blocking; see
``_pairs``); ``process.cpdist`` scores those; only the few pairs above ``GIVEAWAY_THRESHOLD`` are judged one by
one. Two stems sharing less than half the shorter one's words are not compared further: a reworded stem that
changed most of its words is missed, which is the price of comparing 5,000 questions in seconds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

#: stems at least this alike (token_set_ratio, 0–100) ask the same thing when their keys agree
STEM_THRESHOLD = 75
#: stems at least this alike share their subject, enough for a key quoted in the other stem to give it away
GIVEAWAY_THRESHOLD = 70
#: blocking: a pair is scored only when the stems share this many words at least…
MIN_SHARED_WORDS = 2
#: …and this share of the shorter stem's words
OVERLAP = 0.5
#: rows of the blocking matrix computed at a time (BLOCK_ROWS × number of questions × 2 bytes)
BLOCK_ROWS = 512

_NOT_WORD = re.compile(r"[^\w]+")

REASONS = ("same_stem", "same_fact", "gives_away")


def normalise(text: str | None) -> str:
    """The form texts are compared in: NFC, case-folded, accents kept, punctuation and spaces collapsed to one
    space. ``normalise("Bác sinh năm nào?") == normalise("bác  sinh năm nào")``."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).replace("_", " ").split())


@dataclass(frozen=True, slots=True)
class Item:
    """A question as compared: its id (a database id, or a file line for an upload), its stem and key text."""

    id: int
    stem: str
    key: str
    #: the key is specific enough that finding it in another stem gives it away (set by ``prepared``)
    key_specific: bool = False


@dataclass(frozen=True, slots=True)
class Pair:
    """Two questions that ask the same thing: ``first`` and ``second`` are ids, ``similarity`` the stems'
    token_set_ratio (0–100), ``reason`` one of ``REASONS``; for ``gives_away``, ``revealed`` says whose key the
    other's stem gives away ("first" or "second")."""

    first: int
    second: int
    similarity: int
    reason: str
    revealed: str | None = None


def prepared(items: Iterable[Item]) -> list[Item]:
    """``items`` with stem and key normalised and the key's specificity found (the detector expects them so)."""
    return [Item(item.id, normalise(item.stem), normalise(item.key), _specific(item.key)) for item in items]


def _specific(key: str) -> bool:
    """A number, a proper name (a capital after the first word) or three words or more."""
    words = _NOT_WORD.sub(" ", key).split()
    return any(char.isdigit() for char in key) or len(words) >= 3 or any(word[:1].isupper() for word in words[1:])


def find_pairs(items: Sequence[Item], *, workers: int = -1) -> list[Pair]:
    """Every near-duplicate pair among ``items`` (normalised: see ``prepared``), each once, most alike first."""
    return _pairs(items, items, same=True, workers=workers)


def find_pairs_between(new: Sequence[Item], existing: Sequence[Item], *, workers: int = -1) -> list[Pair]:
    """Pairs of a question in ``new`` (``first``) with one in ``existing`` (``second``): an upload checked
    against the banks. Both normalised; pairs inside ``new`` are not looked for."""
    return _pairs(new, existing, same=False, workers=workers)


def _pairs(left: Sequence[Item], right: Sequence[Item], *, same: bool, workers: int) -> list[Pair]:
    """Blocking, then scoring. Blocking: each stem becomes its set of words, one character per word, sorted, so
    that the Indel distance of two such strings counts the words they do not share; a pair goes on only when they
    share at least ``MIN_SHARED_WORDS`` words and ``OVERLAP`` of the shorter stem's words (cdist, in blocks of
    rows, on strings short enough for rapidfuzz's SIMD path). Scoring: token_set_ratio of the stems of those
    pairs only (cpdist), then ``judge``."""
    if not left or not right:
        return []
    words_left, words_right = _word_sets(left, right)
    size_left = np.array([len(w) for w in words_left], dtype=np.int16)
    size_right = np.array([len(w) for w in words_right], dtype=np.int16)
    pairs: list[Pair] = []
    for start in range(0, len(left), BLOCK_ROWS):
        stop = min(start + BLOCK_ROWS, len(left))
        first_column = start if same else 0  # the same list: the upper triangle only
        unshared = process.cdist(words_left[start:stop], words_right[first_column:], scorer=Indel.distance,
                                 workers=workers, dtype=np.int16)
        rows_size, columns_size = size_left[start:stop, None], size_right[None, first_column:]
        shared_twice = rows_size + columns_size - unshared  # twice the number of words both stems have
        candidate = (unshared == 0) | (shared_twice >= 2 * MIN_SHARED_WORDS) & (
            2 * OVERLAP * np.minimum(rows_size, columns_size) <= shared_twice)
        if same:  # each pair once, never a question with itself
            candidate &= np.arange(first_column, len(right))[None, :] > np.arange(start, stop)[:, None]
        rows, columns = np.nonzero(candidate)
        rows, columns = rows + start, columns + first_column
        scores = process.cpdist([left[i].stem for i in rows.tolist()], [right[j].stem for j in columns.tolist()],
                                scorer=fuzz.token_set_ratio, score_cutoff=GIVEAWAY_THRESHOLD, workers=workers,
                                dtype=np.uint8)
        for i, j, score in zip(rows.tolist(), columns.tolist(), scores.tolist(), strict=True):
            pair = judge(left[i], right[j], score) if score else None
            if pair is not None:
                pairs.append(pair)
    return sorted(pairs, key=lambda pair: (-pair.similarity, pair.first, pair.second))


def _word_sets(left: Sequence[Item], right: Sequence[Item]) -> tuple[list[str], list[str]]:
    """Each stem's distinct words as a string of one character per word, sorted (a private alphabet that skips
    the surrogate range)."""
    vocabulary: dict[str, int] = {}

    def encode(stem: str) -> str:
        codes = sorted({vocabulary.setdefault(word, len(vocabulary)) for word in stem.split()})
        return "".join(chr(0x100 + code + (0x800 if 0x100 + code >= 0xD800 else 0)) for code in codes)

    encoded_left = [encode(item.stem) for item in left]
    encoded_right = encoded_left if right is left else [encode(item.stem) for item in right]
    return encoded_left, encoded_right


def judge(a: Item, b: Item, stem_score: int | float | None = None) -> Pair | None:
    """Whether ``a`` and ``b`` (normalised) ask the same thing, and why; None when they are distinct questions.
    ``stem_score``: their stems' token_set_ratio, when already known."""
    score = round(fuzz.token_set_ratio(a.stem, b.stem) if stem_score is None else stem_score)
    if a.stem == b.stem:
        return Pair(a.id, b.id, 100, "same_stem")
    if score >= STEM_THRESHOLD and same_answer(a.key, b.key):
        return Pair(a.id, b.id, score, "same_fact")
    if score >= GIVEAWAY_THRESHOLD:
        if a.key_specific and _quotes(b.stem, a.key):
            return Pair(a.id, b.id, score, "gives_away", revealed="first")
        if b.key_specific and _quotes(a.stem, b.key):
            return Pair(a.id, b.id, score, "gives_away", revealed="second")
    return None


def same_answer(a: str, b: str) -> bool:
    """Whether two normalised keys say the same: the words of the shorter are all among the longer's and make up
    at least half of them ("1890" / "năm 1890", "bến nhà rồng" / "bến cảng nhà rồng"; not "kiệm" / "tiết kiệm,
    không xa xỉ, không hoang phí, không bừa bãi")."""
    short, long_ = sorted((a.split(), b.split()), key=len)
    return bool(short) and set(short) <= set(long_) and 2 * len(short) >= len(long_)


def _quotes(stem: str, key: str) -> bool:
    """Whether ``key`` stands word for word in ``stem`` (both normalised)."""
    return bool(key) and f" {key} " in f" {stem} "
