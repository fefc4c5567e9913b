"""Multiple-choice verifier ("choice"): the response must pick the gold letter (1.0 / 0.0).

Letters are read in tiers; the first tier that asserts anything decides, and if it asserts two
different letters the answer is ambiguous and scores 0:
  1. strong: every `\\boxed{B}`, `<answer>B</answer>`, "answer is B", "Answer: (B)",
     "the answer to the question is B", "the correct option is B", "final choice: B", "答案是B"
     (the span must start with the letter, "(B)" or "option B"; "the answer is clearly B" too),
     and "B is the (correct) answer";
  2. bare: the whole response starts with the letter: "B", "(B)", "B.", "B) circle", "C is right",
     or its last line is only the letter ("...\\n\\n**B**"); a response that starts by listing
     the options ("(A) ...\\n(B) ...") picks none of them (unless a lone letter ends it);
  3. cue: "it's B", "it must be B", "I choose / pick / go with B", "选B", or a response that ends
     in ", B." / ": B" / "so B";
  4. weak: "option B" / "choice B" / "选项B" or a parenthesised "(B)" anywhere.
"A" and "I" followed by a lower-case word ("A circle is ...", "I think") are read as prose, not as
a letter; a letter said to be wrong ("B is wrong", "A and C are incorrect") is not asserted by
tiers 1-3. A lower-case letter counts where it is marked ("(b)", "b)", "b. circle", "option b"),
stands alone ("b"), or ends an answer phrase ("the answer is c"). "A or B" / "A, B" is ambiguous.
Full-width forms ("（B）", "答案：B") are read as their ASCII forms; markdown `*` and backticks are
ignored.
With `sample["choices"]` (the option texts), when no letter is found, a response, answer tag or
answer phrase that states exactly the gold option's text counts, and so does an answer phrase, the
last line, or a short response (<= 300 characters) that contains exactly one option's text (as
whole words, not after "not"/"no"; a text inside a longer option's text is that longer option).
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from verifiers import Verdict, verifier
from verifiers._text import plain_text

MAX_SPANS = 50
SPAN = 120
SHORT = 300  # a response this short is searched whole for an option's text

# a letter ends where a word, a hyphenated word ("B-cells"), an operator ("C++", "A=") or "'s" does not go on
END = r"(?![A-Za-z0-9_\-+=^]|'[A-Za-z])"
ADVERBS = (
    r"(?i:(?:(?:definitely|clearly|for\s+sure|probably|likely|most\s+likely|obviously|certainly|indeed|actually"
    r"|surely|undoubtedly|simply|just|therefore|thus|hence|then|now)\b[\s,:]*)*)"
)
LEAD_RE = re.compile(
    r"[\s:\-\"'#>]*(?P<kw>(?i:option|choice)\b\s*:?\s*|选项\s*)?(?P<open>[(\[])?(?P<letter>[A-Za-z])(?P<close>[)\]])?"
    + END
)
ADVERB_RE = re.compile(ADVERBS)
LONE_RE = re.compile(r"[\s\"'#>\-]*[(\[]?([A-Za-z])[)\]]?[.:!]?[\s\"']*")
PROSE_RE = re.compile(r"\s+(?!(?:because|since|as|is|and|or|which|for|given)\b)[a-z]")
LOWER_RE = re.compile(r"[\s.:!\"']*$|[.:]\s")  # "b", "b.", "b. circle"
LOWER_ANSWER_RE = re.compile(r"\s*[,;.!](?:\s|$)|\s+(?:because|since|as|is|which|given)\b")  # "answer is c, as"
OR_RE = re.compile(r"\s*(?P<sep>,|/|&|\bor\b|\band\b|和|或)\s*(?:[(\[]?([A-Z])[)\]]?|[(\[]([a-z])[)\]])" + END)
# a line that starts like an option of a list: "(A) ...", "B. ...", "C) ..."
LIST_LINE_RE = re.compile(r"^[ \t>#\-]*[(\[]?([A-Z])[)\].:][ \t]", re.MULTILINE)
ANSWER_RE = re.compile(
    r"(?i:\b(?:answer|(?:correct|best|right)\s+(?:option|choice)|(?:final|my)\s+(?:choice|option|selection|pick))"
    r"(?:\s+(?:to|for|of|in|here|the|this|that|question|problem|above|given|then|therefore|thus|overall)){0,4}"
    r"\s*(?:is\b|:|=|(?:would|should|must|will)\s+be\b|(?:seems|appears)\s+to\s+be\b)\s*:?)"
    r"|答案\s*(?:应该|應該|应|應)?\s*(?:是|为|為|选|選)?\s*:?"
)
CUE_RE = re.compile(
    r"(?i:\b(?:it'?s|it\s+is|(?:would|should|must)\s+be|has\s+to\s+be"
    r"|(?:choose|chose|pick|picked|select|selected|go\s+with|going\s+with|opt\s+for|(?:i|i'd|would)\s+say))\b)\s*:?"
    r"|选择?|選擇?"
)
FINAL_RE = re.compile(r"(?:[,:]|[.!?]\s|(?i:\b(?:so|therefore|thus|hence)\b),?)\s*[(\[]?([A-Z])[)\]]?[\s.!\"']*$")
IS_ANSWER_RE = re.compile(
    r"(?<![\w'])(?:(?i:option|choice)\b\s*)?[(\[]?([A-Z])[)\]]?"
    r"\s+(?i:is|would\s+be|must\s+be|should\s+be)\s+(?i:the\s+)?"
    r"(?i:(?:correct|right|best|final)\s+)?(?i:answer|option|choice)\b"
)
LETTER_BEFORE_RE = re.compile(r"(?:^|[\s(])[A-Z][).]?\s*$")
NEG_RE = re.compile(
    r"\s+(?:is|are|was|were|seems?|looks?)\s+(?:wrong|incorrect|false|not\b|unlikely|ruled\s+out)"
    r"|\s+(?:isn't|aren't|wasn't|can't|cannot)\b"
)
WEAK_RE = re.compile(r"(?:(?i:\b(?:option|choice)\b)\s*:?\s*|选项\s*)[(\[]?([A-Za-z])" + END + r"|\(([A-Z])\)")
LATEX_RE = re.compile(r"\\(?:text|textbf|mathrm|mathbf|mathit|textit)\{|[{}$]")
NEGATED_RE = re.compile(r"(?:\bnot|\bno|n't|\bnever)\s+(?:the\s+|a\s+|an\s+)?$")


def leading_letters(span: str, mode: str = "strong") -> set[str]:
    """The letter(s) a span starts with: {} for none, two letters for "A or B".

    mode "strong" / "cue": an answer phrase's span (leading adverbs skipped, "the answer is c" read);
    mode "bare": the response itself ("option B" is left to the weak tier, "c is" is not a letter).
    """
    span = LATEX_RE.sub("", span)
    if mode != "bare":
        span = span[ADVERB_RE.match(span).end() :]
    m = LEAD_RE.match(span)
    if m is None:
        return set()
    if m.group("kw") and mode == "bare":
        return set()
    letter, rest = m.group("letter"), span[m.end() :]
    marked = m.group("kw") or m.group("open") or m.group("close")
    if letter.islower():
        if not (marked or LOWER_RE.match(rest) or (mode != "bare" and LOWER_ANSWER_RE.match(rest))):
            return set()  # "a circle", "x = 5": prose or maths, not a letter
        letter = letter.upper()
    elif letter in "AI" and not marked and PROSE_RE.match(rest):
        return set()  # the article "A" / the pronoun "I"
    other = OR_RE.match(rest)
    if other and NEG_RE.match(rest, other.end()):
        # "A and C are wrong" denies both; "B, C is wrong" asserts B
        return {letter} if other.group("sep") == "," else set()
    if NEG_RE.match(rest):
        return set()  # "B is wrong"
    return {letter, (other.group(2) or other.group(3)).upper()} if other else {letter}


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
        spans.append(text[begin : end if end >= 0 else len(text)][: 4 * SPAN])
        start = text.find("<answer>", end) if end >= 0 else -1
    return spans


def regex_spans(pattern: re.Pattern, text: str) -> list[str]:
    """The first line (at most SPAN characters) after each match of `pattern`."""
    spans = []
    for m in pattern.finditer(text):
        spans.append(text[m.end() : m.end() + SPAN].split("\n", 1)[0])
        if len(spans) >= MAX_SPANS:
            break
    return spans


def last_line(text: str) -> str:
    tail = text[-4 * SPAN :].rstrip()
    return tail[tail.rfind("\n") + 1 :]


def weak_letters(text: str) -> set[str]:
    found = set()
    for i, m in enumerate(WEAK_RE.finditer(text)):
        if i >= MAX_SPANS:
            break
        letter = m.group(1) or m.group(2)
        if letter.islower() and PROSE_RE.match(text, m.end()):
            continue  # "option a bit better"
        found.add(letter.upper())
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
    texts.pop("", None)  # an empty option states nothing (an empty response is not its text)
    return texts


def contained_options(text: str, texts: dict[str, str]) -> set[str]:
    """Letters of the options whose text the passage states as whole words (not negated); an
    occurrence inside an occurrence of a longer option's text belongs to that longer option."""
    text = normalise(text)
    hits = []  # (start, end, letter)
    for option, letter in texts.items():
        if not option or (len(option) == 1 and option.isalpha()):
            continue  # "" or a lone letter ("a") says nothing
        for m in re.finditer(rf"(?<![a-z0-9]){re.escape(option)}(?![a-z0-9])", text):
            if not NEGATED_RE.search(text, max(0, m.start() - 12), m.start()):
                hits.append((m.start(), m.end(), letter))
            if len(hits) > MAX_SPANS:
                return set()
    return {
        letter for s, e, letter in hits
        if not any(s2 <= s and e <= e2 and (e2 - s2) > (e - s) and l2 != letter for s2, e2, l2 in hits)
    }


def extract_choice(text: str, choices: list | None = None) -> tuple[set[str], str]:
    """The letter(s) the response asserts and how they were found."""
    text = plain_text(text)
    spans = boxed_spans(text) + tag_spans(text) + regex_spans(ANSWER_RE, text)
    strong = set().union(*(leading_letters(s) for s in spans))
    strong |= {m.group(1) for _, m in zip(range(MAX_SPANS), IS_ANSWER_RE.finditer(text))}
    if strong:
        return strong, "answer marker"
    line = last_line(text)
    bare = leading_letters(text[:SPAN].lstrip(), mode="bare")
    if bare:
        listed = {m.group(1) for _, m in zip(range(MAX_SPANS), LIST_LINE_RE.finditer(text))}
        if len(listed) > 1:
            bare |= listed  # the response lists the options ("(A) ...\n(B) ..."), it does not pick one
    lone = LONE_RE.fullmatch(line)
    if lone and len(text.strip()) > len(line.strip()):
        # a last line that is only a letter answers; after a list of the options it alone does
        bare = {lone.group(1).upper()} | (bare if len(bare) == 1 else set())
    if bare:
        return bare, "bare letter"
    cue_spans = regex_spans(CUE_RE, text)
    cue = set().union(*(leading_letters(s, mode="cue") for s in cue_spans))
    tail = text[-SPAN:]
    final = FINAL_RE.search(tail)
    if final and not LETTER_BEFORE_RE.search(tail, 0, final.start()):
        cue.add(final.group(1))  # "..., so B." but not "the options are A, B, C, D."
    if cue:
        return cue, "answer cue"
    weak = weak_letters(text)
    if weak:
        return weak, "option mention"
    if choices:
        texts = option_texts(choices)
        stated = {texts[normalise(s)] for s in spans + [text[: 4 * SPAN]] if normalise(s) in texts}
        if stated:
            return stated, "option text"
        for passages in (spans, cue_spans, [line], [text] if len(text) <= SHORT else []):
            found = set().union(*(contained_options(p, texts) for p in passages))
            if found:
                return found, "option text"
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
