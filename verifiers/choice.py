"""Multiple-choice verifier ("choice"): the response must pick the gold letter (1.0 / 0.0).

Letters are read in tiers; the first tier that asserts anything decides, and if it asserts two
different letters the answer is ambiguous and scores 0:
  1. strong: every `\\boxed{B}`, `<answer>B</answer>`, "answer is B", "Answer: (B)",
     "the correct option is B" (the span must start with the letter, "(B)" or "option B");
  2. bare: the whole response starts with the letter: "B", "(B)", "B.", "B) circle", "C is right";
  3. weak: "option B" / "choice B" or a parenthesised "(B)" anywhere.
"A" and "I" followed by a lower-case word ("A circle is ...", "I think") are read as prose, not as
a letter. "A or B" / "A, B" is ambiguous. With `sample["choices"]` (the option texts), a response,
answer tag or answer phrase that states exactly the gold option's text also counts.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from verifiers import Verdict, verifier

MAX_SPANS = 50
SPAN = 120
LEAD_RE = re.compile(
    r"[\s:\-]*(?P<kw>(?i:option|choice)\s*)?(?P<open>[(\[])?(?P<letter>[A-Z])(?P<close>[)\]])?(?=$|[\s.,:;)\]/&])"
)
LONE_RE = re.compile(r"\s*\(?([a-z])\)?\.?\s*")
PROSE_RE = re.compile(r"\s+(?!(?:because|since|as|is|and|or|which|for|given)\b)[a-z]")
OR_RE = re.compile(r"\s*(?:,|/|&|\bor\b|\band\b)\s*[(\[]?([A-Z])(?=$|[\s.,:;)\]])")
ANSWER_RE = re.compile(
    r"(?i:\b(?:answer|correct\s+(?:option|choice)|best\s+(?:option|choice))\s*(?:is\b|:|=|would\s+be|should\s+be)\s*:?)"
)
WEAK_RE = re.compile(r"(?i:\b(?:option|choice))\s*[(\[]?([A-Z])(?=$|[\s.,:;)\]])|\(([A-Z])\)")
LATEX_RE = re.compile(r"\\(?:text|textbf|mathrm|mathbf)\{|[{}$]")


def leading_letters(span: str, keyword: bool = True) -> set[str]:
    """The letter(s) a span starts with: {} for none, two letters for "A or B"."""
    span = LATEX_RE.sub("", span)
    m = LEAD_RE.match(span)
    if m is not None and m.group("kw") and not keyword:
        return set()
    if m is None:
        lone = LONE_RE.fullmatch(span)
        return {lone.group(1).upper()} if lone else set()
    letter, rest = m.group("letter"), span[m.end() :]
    marked = m.group("kw") or m.group("open") or m.group("close")
    if letter in "AI" and not marked and PROSE_RE.match(rest):
        return set()  # the article "A" / the pronoun "I"
    other = OR_RE.match(rest)
    return {letter, other.group(1)} if other else {letter}


def boxed_spans(text: str) -> list[str]:
    spans, start = [], text.find("\\boxed{")
    while start >= 0 and len(spans) < MAX_SPANS:
        begin = start + len("\\boxed{")
        depth, end = 1, begin
        while end < min(len(text), begin + SPAN) and depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        spans.append(text[begin : end - 1 if depth == 0 else end])
        start = text.find("\\boxed{", end)
    return spans


def tag_spans(text: str) -> list[str]:
    spans, start = [], text.find("<answer>")
    while start >= 0 and len(spans) < MAX_SPANS:
        begin = start + len("<answer>")
        end = text.find("</answer>", begin)
        spans.append(text[begin : end if end >= 0 else len(text)])
        start = text.find("<answer>", end) if end >= 0 else -1
    return spans


def phrase_spans(text: str) -> list[str]:
    spans = []
    for m in ANSWER_RE.finditer(text):
        spans.append(text[m.end() : m.end() + SPAN].split("\n", 1)[0])
        if len(spans) >= MAX_SPANS:
            break
    return spans


def weak_letters(text: str) -> set[str]:
    found = set()
    for i, m in enumerate(WEAK_RE.finditer(text)):
        found.add(m.group(1) or m.group(2))
        if i >= MAX_SPANS:
            break
    return found


def normalise(text: str) -> str:
    text = LATEX_RE.sub("", text)
    return " ".join(text.split()).strip(" .").lower()


def option_texts(choices: list) -> dict[str, str]:
    """Normalised option text -> letter; options written "B. circle" also match "circle"."""
    texts = {}
    for i, option in enumerate(choices[:26]):
        letter = chr(ord("A") + i)
        text = normalise(str(option))
        texts.setdefault(text, letter)
        texts.setdefault(re.sub(r"^\(?[a-z][.)]\s+", "", text), letter)
    return texts


def extract_choice(text: str, choices: list | None = None) -> tuple[set[str], str]:
    """The letter(s) the response asserts and how they were found."""
    text = text.replace("*", "")
    spans = boxed_spans(text) + tag_spans(text) + phrase_spans(text)
    strong = set().union(*(leading_letters(s) for s in spans))
    if strong:
        return strong, "answer marker"
    bare = leading_letters(text[:SPAN].lstrip(), keyword=False)
    if bare:
        return bare, "bare letter"
    weak = weak_letters(text)
    if weak:
        return weak, "option mention"
    if choices:
        texts = option_texts(choices)
        stated = {texts[normalise(s)] for s in spans + [text[: 4 * SPAN]] if normalise(s) in texts}
        if stated:
            return stated, "option text"
    return set(), "no choice found"


def parse_gold(answer: Any, choices: list | None) -> str:
    text = str(answer).strip().strip("()[]").rstrip(".").strip()
    if len(text) == 1 and text.isalpha():
        return text.upper()
    if choices and normalise(text) in option_texts(choices):
        return option_texts(choices)[normalise(text)]
    raise ValueError(f"choice gold must be a letter A-Z (or an option's text), got {answer!r}")


@verifier("choice")
def choice(sample: Mapping[str, Any], response: str) -> Verdict | None:
    if sample.get("answer") is None or sample.get("answer") == "":
        return None
    choices = sample.get("choices") or None
    gold = parse_gold(sample["answer"], choices)
    letters, source = extract_choice(response or "", choices)
    details: dict[str, Any] = {"pred": "".join(sorted(letters)) or None, "gold": gold, "source": source}
    if not letters:
        return Verdict(0.0, {**details, "reason": source})
    if len(letters) > 1:
        return Verdict(0.0, {**details, "reason": f"ambiguous: {', '.join(sorted(letters))}"})
    if letters != {gold}:
        return Verdict(0.0, {**details, "reason": "wrong choice"})
    return Verdict(1.0, details)
