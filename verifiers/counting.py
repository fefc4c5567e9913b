"""Counting verifier ("count"): the response's count must equal the gold integer (1.0 / 0.0).

Where the count is read, first that applies: the last `\\boxed{...}`, the last
`<answer>...</answer>`, the text after the last "answer is" / "answer:" / "answer =" (its first
number), else the last number anywhere. Inside a box or answer tag the last number is taken.
Numbers are digits ("3", "3.0", "1,200") or words (zero..ninety-nine, "a hundred"); the pronoun
"one" ("the one on the left", "one of them") is not a number. A non-integer
("3.5") or negative count never matches.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from verifiers import Verdict, verifier

UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
    " seventeen eighteen nineteen"
).split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORD_VALUES = {w: i for i, w in enumerate(UNITS)} | {w: 20 + 10 * i for i, w in enumerate(TENS)}
NUMBER_RE = re.compile(
    r"(?<![\w.])(?P<digits>[-+]?(?:\d{1,3}(?:,\d{3})+(?![\d])|\d+(?:\.\d+)?))(?![\w]|\.\d)"
    rf"|\b(?P<tens>{'|'.join(TENS)})(?:[\s-](?P<unit>{'|'.join(UNITS[1:10])}))?\b"
    r"|\b(?P<hundred>(?:a|one)\s+hundred)\b"
    rf"|\b(?P<word>{'|'.join(w for w in UNITS if w != 'one')})\b"
    r"|(?<!the )(?<!this )(?<!that )(?<!each )(?<!every )(?<!which )(?<!any )(?<!no )"
    r"\b(?P<one>one)\b(?!\s*(?:of|another)\b)",
    re.IGNORECASE,
)
ANSWER_RE = re.compile(r"\banswer\s*(?:is\b|:|=)", re.IGNORECASE)
SPAN = 200


def number_value(m: re.Match) -> float:
    if m.group("digits"):
        return float(m.group("digits").replace(",", ""))
    if m.group("tens"):
        unit = m.group("unit")
        return float(WORD_VALUES[m.group("tens").lower()] + (WORD_VALUES[unit.lower()] if unit else 0))
    if m.group("word") or m.group("one"):
        return float(WORD_VALUES[(m.group("word") or m.group("one")).lower()])
    return 100.0


def numbers(text: str) -> list[float]:
    return [number_value(m) for m in NUMBER_RE.finditer(text)]


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


def extract_count(text: str) -> tuple[float | None, str]:
    """The count the response states and where it was found; (None, reason) if there is none."""
    for source, span in (("boxed", boxed_span(text)), ("answer tag", answer_tag_span(text))):
        if span is not None:
            found = numbers(span)
            return (found[-1], source) if found else (None, f"no number in {source}")
    last = None
    for last in ANSWER_RE.finditer(text):
        pass
    if last is not None:
        m = NUMBER_RE.search(text, last.end(), last.end() + SPAN)
        if m:
            return number_value(m), "answer phrase"
    last_number = None
    for last_number in NUMBER_RE.finditer(text):
        pass
    if last_number is None:
        return None, "no number found"
    return number_value(last_number), "last number"


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
