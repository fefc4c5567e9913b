"""Counting verifier ("count"): the response's count must equal the gold integer (1.0 / 0.0).

Where the count is read, first that applies: the last `\\boxed{...}`, the last
`<answer>...</answer>`, the text after the last "answer is" / "answer:" / "answer =" / "答案是"
(its first number; but a number of that sentence marked as a total, "3 red and 2 blue, 5 in
total", or a final "= 5", "2 + 3 = 5", wins), else the whole response. Inside a box, an answer
tag or the whole response the count is the last number marked as a total ("5 in total", "4 in
all", then "total: 5"), else the last number outside parentheses ("5 circles (3 red, 2 blue)" is
5), else the last number.
Numbers are digits ("3", "3.0", "1,200", full-width "３"; "3个" too) or words (zero..ninety-nine,
"a hundred and five", "a single", "none" but not "none of"); the pronoun "one" ("the one on the
left", "one of them", and "one is black" where another number is stated) is not a number. Where no
number is stated, a zero phrase is 0: "no dogs", "there are no circles", "there aren't any",
"I don't see any", "not a single" (not "no idea", "no image"). A non-integer ("3.5") or negative
count never matches. Markdown `*` and backticks are ignored; "²" is not a digit.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from verifiers import Verdict, verifier
from verifiers._text import plain_text

UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    " seventeen eighteen nineteen"
).split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORD_VALUES = {w: i for i, w in enumerate(UNITS)} | {w: 20 + 10 * i for i, w in enumerate(TENS)}
NUMBER_RE = re.compile(
    r"(?<![A-Za-z0-9_.])(?P<digits>[-+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?))(?![A-Za-z0-9_]|\.\d)"
    rf"|\b(?P<tens>{'|'.join(TENS)})(?:[\s-](?P<unit>{'|'.join(UNITS[1:10])}))?\b"
    rf"|\b(?P<hundred>(?:a|one)\s+hundred)(?:\s+(?:and\s+)?(?:(?P<htens>{'|'.join(TENS)})(?:[\s-](?P<hunit>"
    rf"{'|'.join(UNITS[1:10])}))?|(?P<hsmall>{'|'.join(UNITS[1:])})))?\b"
    r"|(?<!not )\b(?P<single>a\s+single)\b"
    r"|\b(?P<none>none)\b(?!\s+of\b)"
    rf"|\b(?P<word>{'|'.join(w for w in UNITS if w != 'one')})\b"
    r"|(?<!the )(?<!this )(?<!that )(?<!each )(?<!every )(?<!which )(?<!any )(?<!no )(?<!not )"
    r"\b(?P<one>one)\b(?!\s*(?:of|another)\b)",
    re.IGNORECASE,
)
NOT_COUNTED = (
    r"(?!\s*(?:idea|clue|way|answer|image|picture|photo|video|information|info|context|doubt|more|longer"
    r"|need|problem|comment|question|objects?\s+to\s+count)\b)"
)
ZERO_RE = re.compile(
    r"(?:\b(?:there\s+(?:are|is|were|was)|see|find|count|contains?|shows?|has|have)\s+no"
    r"|\b(?:aren't|isn't|weren't|wasn't|are\s+not|is\s+not|don't|doesn't|didn't|can't|do\s+not|does\s+not"
    r"|did\s+not|cannot|can\s+not)(?:\s+(?:see|find|spot|count|notice|detect|contain|show|have))?\s+any"
    r"|\bnot\s+(?:a\s+single|one)|^\s*no(?=\s+[a-z]))\b" + NOT_COUNTED,
    re.IGNORECASE,
)
ANSWER_RE = re.compile(r"\banswer\s*(?:is\b|:|=)|答案\s*(?:是|为|為)?\s*:?", re.IGNORECASE)
TOTAL_BEFORE_RE = re.compile(
    r"(?:\btotal(?:\s+(?:count|number))?|\bin\s+all|\baltogether)\s*(?:of|is|are|:|=|,)?\s*"
    r"(?:there\s+(?:are|is)\s+|i\s+(?:count|see)\s+)?$",
    re.IGNORECASE,
)
TOTAL_AFTER_RE = re.compile(
    r"(?:\s+[a-z]+){0,2}?\s*(?:\bin\s+total|\btotal\b|\bin\s+all\b|\baltogether\b)", re.IGNORECASE
)
PRONOUN_RE = re.compile(r"\s+(?:is|was|has|had|looks|seems|appears|sits|stands)\b", re.IGNORECASE)
SENTENCE_END_RE = re.compile(r"[.!?;](?:\s|$)|\n")
PAREN_RE = re.compile(r"[()]")
SPAN = 200


def number_value(m: re.Match) -> float:
    if m.group("digits"):
        return float(m.group("digits").replace(",", ""))
    if m.group("tens"):
        unit = m.group("unit")
        return float(WORD_VALUES[m.group("tens").lower()] + (WORD_VALUES[unit.lower()] if unit else 0))
    if m.group("word") or m.group("one"):
        return float(WORD_VALUES[(m.group("word") or m.group("one")).lower()])
    if m.group("single"):
        return 1.0
    if m.group("none"):
        return 0.0
    rest = 0
    if m.group("htens"):
        rest = WORD_VALUES[m.group("htens").lower()]
        rest += WORD_VALUES[m.group("hunit").lower()] if m.group("hunit") else 0
    elif m.group("hsmall"):
        rest = WORD_VALUES[m.group("hsmall").lower()]
    return 100.0 + rest


def numbers(text: str) -> list[float]:
    return [number_value(m) for m in NUMBER_RE.finditer(text)]


def pick_count(text: str) -> float | None:
    """The count a passage states: its last number followed by a total mark ("5 in total"), else
    its last number after one ("total: 5"), else its last number outside parentheses, else its last
    number; "one" as a pronoun ("One is black") only when there is no other. 0 for a zero phrase
    ("no dogs") where no number is stated; None if nothing."""
    after = before = outside = last = pronoun = None
    depth, pos = 0, 0
    for m in NUMBER_RE.finditer(text):
        for p in PAREN_RE.finditer(text, pos, m.start()):
            depth = depth + 1 if p.group() == "(" else max(0, depth - 1)
        pos = m.end()
        if m.group("one") and PRONOUN_RE.match(text, m.end()):
            pronoun = m
            continue
        last = m
        if depth == 0:
            outside = m
        if TOTAL_AFTER_RE.match(text, m.end(), m.end() + 40):
            after = m
        elif TOTAL_BEFORE_RE.search(text, max(0, m.start() - 40), m.start()):
            before = m
    best = after or before or outside or last or pronoun
    if best is not None:
        return number_value(best)
    return 0.0 if ZERO_RE.search(text) else None


def boxed_span(text: str) -> str | None:
    start = text.rfind("\\boxed{")
    if start < 0:
        return None
    start += len("\\boxed{")
    end = text.find("}", start, start + SPAN)
    return text[start : end if end >= 0 else start + SPAN]


def answer_tag_span(text: str) -> str | None:
    start = text.rfind("<answer>")
    if start < 0:
        return None
    start += len("<answer>")
    end = text.find("</answer>", start)
    return text[start : end if end >= 0 else len(text)]


def phrase_count(text: str, start: int) -> float | None:
    """The count right after an answer phrase: its first number; but in that sentence a number
    marked as a total ("3 red and 2 blue, 5 in total") or a final "= 5" wins. A zero phrase before
    any number is 0."""
    span = text[start : start + SPAN]
    first = NUMBER_RE.search(span)
    zero = ZERO_RE.search(span)
    if zero and (first is None or zero.start() < first.start()):
        return 0.0
    if first is None:
        return None
    end = SENTENCE_END_RE.search(span, first.end())
    found = list(NUMBER_RE.finditer(span, 0, end.start() if end else len(span)))
    for m in reversed(found):
        if TOTAL_AFTER_RE.match(span, m.end(), m.end() + 40):
            return number_value(m)
    eq = span.rfind("=", first.end(), found[-1].start())
    if eq >= 0 and sum(m.start() > eq for m in found) == 1:
        return number_value(found[-1])  # "2 + 3 = 5", not "5 = 2 + 3"
    return number_value(first)


def extract_count(text: str) -> tuple[float | None, str]:
    """The count the response states and where it was found; (None, reason) if there is none."""
    text = plain_text(text)
    for source, span in (("boxed", boxed_span(text)), ("answer tag", answer_tag_span(text))):
        if span is not None:
            found = pick_count(span)
            return (found, source) if found is not None else (None, f"no number in {source}")
    last = None
    for last in ANSWER_RE.finditer(text):
        pass
    if last is not None:
        found = phrase_count(text, last.end())
        if found is not None:
            return found, "answer phrase"
    found = pick_count(text)
    if found is None:
        return None, "no number found"
    return found, "last number"


def parse_gold(answer: Any) -> int:
    try:
        value = float(str(answer).strip())
    except ValueError:
        raise ValueError(f"count gold must be an integer, got {answer!r}") from None
    if not value.is_integer():
        raise ValueError(f"count gold must be an integer, got {answer!r}")
    return int(value)


@verifier("count")
def count(sample: Mapping[str, Any], response: str) -> Verdict | None:
    if sample.get("answer") is None or sample.get("answer") == "":
        return None
    gold = parse_gold(sample["answer"])
    pred, source = extract_count(response or "")
    details: dict[str, Any] = {"pred": pred, "gold": gold, "source": source}
    if pred is None:
        return Verdict(0.0, {**details, "reason": source})
    if not pred.is_integer():
        return Verdict(0.0, {**details, "reason": "not an integer count"})
    if int(pred) != gold:
        return Verdict(0.0, {**details, "reason": "wrong count"})
    return Verdict(1.0, details)
