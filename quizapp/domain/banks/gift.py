"""GIFT, Moodle's richer text format; only its one-correct-answer multiple choice is accepted.

    // comments are ignored
    $CATEGORY: $course$/top/Chuyên đề năm 2023

    ::Q1:: [html]Chủ tịch Hồ Chí Minh sinh năm nào? {
      =1890 #Ngày 19/5/1890
      ~1911
      ~1930
      ####Người sinh tại làng Kim Liên, Nam Đàn, Nghệ An.
    }

    Bác đọc Tuyên ngôn Độc lập tại Quảng trường {~Hoàn Kiếm =Ba Đình ~Lam Sơn}, Hà Nội.

The last segment of the category is the topic. General feedback (####) becomes the explanation, else the
correct answer's feedback (#). An answer block in mid-sentence (Moodle's "missing word") is a blank in the
question: "Bác đọc Tuyên ngôn Độc lập tại Quảng trường ……, Hà Nội." Other question types (true/false, short
answer, matching, numerical, essay, several correct answers or weights, several blanks) are refused by name
rather than half imported; an import may skip them when asked (``model.is_other_type``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from quizapp.domain.banks.draft import Draft, DraftOption, Spot
from quizapp.domain.banks.model import OPTION_LETTERS, Problem
from quizapp.domain.text import clean

_ESCAPES = {"~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "n": "\n", "\\": "\\"}
_FORMAT = re.compile(r"\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>|</p\s*>|</div\s*>|</li\s*>", re.IGNORECASE)
_WEIGHT = re.compile(r"\s*%-?\d+(?:[.,]\d+)?%")
_CATEGORY = re.compile(r"\$CATEGORY:(.*)", re.IGNORECASE)
_CATEGORY_SEPARATOR = re.compile(r"(?<!/)/(?!/)")
_TRUE_FALSE = re.compile(r"(?:T|F|TRUE|FALSE)\s*(?:#.*)?", re.IGNORECASE | re.DOTALL)
# The opening of an answer block of any GIFT question type: "{=", "{~", "{#", "{}", "{T}", "{FALSE#...".
_ANSWER_BLOCK = re.compile(r"(?<!\\)\{\s*(?:[=~#}]|(?:T|F|TRUE|FALSE)\s*[#}])", re.IGNORECASE)
#: what stands for the answer block in the text of a missing-word question
BLANK = "……"


def opens_like_gift(text: str) -> bool:
    """True when a text file opens like GIFT (a comment, a ::title:: or a $CATEGORY line): Aiken has none."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first.startswith(("//", "::", "$CATEGORY"))


def gift_answer_blocks(text: str) -> int:
    """How many GIFT answer blocks (``{=…``, ``{~…``, ``{#…``, ``{T}``, ``{}``) the text holds, comments aside."""
    lines = (line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return len(_ANSWER_BLOCK.findall("\n".join(lines)))


def gift_items(text: str) -> list[Problem | Draft]:
    """Every question of a GIFT file, as drafts or as the problem that stops it, in file order."""
    items: list[Problem | Draft] = []
    topic: str | None = None
    for lines in _records(text):
        category = _CATEGORY.fullmatch(lines[0][1].strip())
        if category:
            topic = _topic(category.group(1))
            lines = lines[1:]
        if lines:
            items.append(_question(Spot(lines[0][0]), "\n".join(raw for _, raw in lines), topic))
    return items


def _records(text: str) -> Iterator[list[tuple[int, str]]]:
    """Blank-line separated records of (line number, line), comment lines left out."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            continue
        if stripped:
            lines.append((number, raw))
        elif lines:
            yield lines
            lines = []
    if lines:
        yield lines


def _topic(path: str) -> str | None:
    segments = [segment.replace("//", "/") for segment in _CATEGORY_SEPARATOR.split(path.strip())]
    last = clean(next((segment for segment in reversed(segments) if segment.strip()), ""))
    return None if not last or last.startswith("$") or last.lower() == "top" else last


@dataclass(frozen=True, slots=True)
class _Answer:
    correct: bool
    text: str
    feedback: str
    weighted: bool


def _question(spot: Spot, body: str, topic: str | None) -> Problem | Draft:
    body = _strip_title(body.strip())
    opening = _find(body, "{")
    if opening < 0:
        return spot.problem("unsupported_question_type", kind="description")
    closing = _find(body, "}", opening + 1)
    if closing < 0:
        return spot.problem("unclosed_brace")
    stem, block, tail = body[:opening], body[opening + 1 : closing], body[closing + 1 :]
    if _find(tail, "{") >= 0:
        return spot.problem("unsupported_question_type", kind="cloze")
    kind = _block_kind(block)
    if kind is not None:
        return spot.problem("unsupported_question_type", kind=kind)
    marker = _FORMAT.match(stem)
    html_format = bool(marker) and marker.group(1).lower() == "html"  # the answers share the question's format
    answers, general_feedback = _answers(block, html_format)
    kind = _answers_kind(answers)
    if kind is not None:
        return spot.problem("unsupported_question_type", kind=kind)
    return _draft(spot, _question_text(stem, tail, html_format), answers, general_feedback, topic)


def _question_text(stem: str, tail: str, html_format: bool) -> str:
    """The question's text around its answer block: a blank where the block stood in mid-sentence.

    Text after the block makes it a blank ("Grant is {…} in Grant's tomb."), and so does a lone full stop
    after a sentence that is not a question ("… was from {…}."); a "?" after the block is only the
    question's own punctuation ("Ai là tác giả {…}?").
    """
    stem_text, tail_text = _text(stem, html_format), _text(tail, html_format)
    blank = any(ch.isalnum() for ch in tail_text) or (
        bool(tail_text) and "?" not in tail_text and not stem_text.endswith(("?", ":"))
    )
    return _text(stem + BLANK + tail if blank else stem.rstrip() + tail.lstrip(), html_format)


def _draft(spot: Spot, text: str, answers: list[_Answer], general_feedback: str, topic: str | None) -> Draft:
    options: list[DraftOption] = []
    problems: list[Problem] = []
    correct = ""
    for letter, answer in zip(_letters(len(answers)), answers, strict=True):
        if not answer.text:
            problems.append(spot.problem("missing_option", letter, letter=letter))
            continue
        options.append(DraftOption(letter, answer.text))
        correct = letter if answer.correct else correct
    explanation = general_feedback or next((a.feedback for a in answers if a.correct), "")
    return Draft(
        spot, text, options, answer=correct, explanation=explanation, topic=topic or "", problems=problems
    )


def _letters(count: int) -> list[str]:
    # Past F the letters only label "too many options"; they never reach a saved question.
    return [OPTION_LETTERS[i] if i < len(OPTION_LETTERS) else chr(ord("A") + i) for i in range(count)]


def _block_kind(block: str) -> str | None:
    """The unsupported type an answer block is written in, judged before it is split into answers."""
    stripped = block.strip()
    if not stripped:
        return "essay"
    if _TRUE_FALSE.fullmatch(stripped):
        return "true_false"
    if stripped.startswith("#"):
        return "numerical"
    if not stripped.startswith(("=", "~")):
        return "unknown"
    return None


def _answers_kind(answers: list[_Answer]) -> str | None:
    correct = [answer for answer in answers if answer.correct]
    if any(answer.weighted for answer in answers):
        return "weighted"
    if any("->" in answer.text for answer in correct):
        return "matching"
    if correct and len(correct) == len(answers):
        return "short_answer"
    if len(correct) > 1:
        return "multiple_correct"
    return None


def _answers(block: str, html_format: bool) -> tuple[list[_Answer], str]:
    """Split ``{=right ~wrong ...}`` into answers; the text after ``####`` is the general feedback."""
    general = _find(block, "####")
    feedback = _text(block[general + 4 :], html_format) if general >= 0 else ""
    block = block[:general] if general >= 0 else block
    answers: list[_Answer] = []
    for marker, piece in _pieces(block):
        hash_at = _find(piece, "#")
        text, note = (piece[:hash_at], piece[hash_at + 1 :]) if hash_at >= 0 else (piece, "")
        weight = _WEIGHT.match(text)
        if weight:
            text = text[weight.end() :]
        answers.append(
            _Answer(marker == "=", _text(text, html_format), _text(note, html_format), weight is not None)
        )
    return answers, feedback


def _pieces(block: str) -> Iterator[tuple[str, str]]:
    """(marker, raw text) for each answer, splitting at every unescaped "=" or "~"."""
    marker, start, index = "", 0, 0
    while index < len(block):
        char = block[index]
        if char == "\\":
            index += 2
            continue
        if char in "=~":
            if marker:
                yield marker, block[start:index]
            marker, start = char, index + 1
        index += 1
    if marker:
        yield marker, block[start:]


def _find(text: str, target: str, start: int = 0) -> int:
    """Index of the first unescaped ``target`` at or after ``start``, -1 when there is none."""
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(target, index):
            return index
        index += 1
    return -1


def _strip_title(body: str) -> str:
    if not body.startswith("::"):
        return body
    end = _find(body, "::", 2)
    return body[end + 2 :] if end >= 0 else body


def _text(raw: str, html_format: bool) -> str:
    """Plain text of a GIFT piece: format marker removed, HTML reduced to its text, escapes resolved."""
    marker = _FORMAT.match(raw)
    if marker:
        raw = raw[marker.end() :]
        html_format = marker.group(1).lower() == "html"
    text = _unescape(raw)
    if html_format:
        text = html.unescape(_TAG.sub("", _LINE_BREAK_TAG.sub("\n", text)))
    return clean(text)


def _unescape(raw: str) -> str:
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match.group(1), match.group(0)), raw, flags=re.DOTALL)
