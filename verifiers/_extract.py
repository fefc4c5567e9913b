"""Answer extraction for the math and choice verifiers: the final answer of a response (boxed,
"the answer is", the last math-like item) and option letters. Plain string work on untrusted text:
no eval, bounded input, regular expressions without nested quantifiers.
"""
from __future__ import annotations

import bisect
import re

from verifiers._numbers import _unwrap_boxed, _word_number, parse_number
from verifiers._text import _BOX_JOIN, _STRIP_CHARS, MAX_TEXT, clean_text, last_boxed


_ANCHOR = re.compile(
    r"(?i)(?:final\s+answer(?:\s+is)?|(?:the\s+)?answer\s+is|answer\s*[:：]|correct\s+(?:option|choice)\s+is"
    r"|(?:réponse|reponse)(?:\s+finale)?\s*(?:est|:|：)|(?:die\s+)?antwort\s*(?:ist|lautet|:)"
    r"|respuesta(?:\s+final|\s+correcta)?\s*(?:es|:)|risposta\s*(?:è|:)|resposta\s*(?:é|:)"
    r"|最终答案(?:是|为)?|答案\s*(?:是|为|為|:|：)|答え(?:は)?|정답(?:은|는)?\s*[:：]?|ответ\s*(?:[:：]|—|-)|الإجابة"
    r"|उत्तर\s*[:：]|đáp\s+án(?:\s+là)?|cevap\s*[:：]?|jawaban(?:nya)?\s*(?:adalah|:)|####)")
_SENT_END = re.compile(r"\.(?=\s|$)|\n\s*\n|[。！？]|I hope")


# Math spans: $$..$$, \[..\], \(..\), $..$ (inline ones stay on one line).
_SPAN = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\\(([^\n]+?)\\\)|(?<![\\$])\$((?:\\\$|[^$\n])+?)\$", re.S)
_BAD_SPAN = re.compile(r"(?<![\\$])\$(?!\$)[^$]*\n[^$]*\$|\\\([^\n]*?\n.*?\\\)", re.S)
_NUM_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_.\\])-?(?:\d+ \d+/\d+(?![\d/])|\d+/\d+|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?![\d,])"
    r"|\d+(?:\.\d+)?|\.\d+)(?:\s*(?:\\?%|percent\b|pct\b))?|-?\\[dtc]?frac\{[^{}]{1,30}\}\{[^{}]{1,30}\}")
_WORD = re.compile(r"(?<![\\A-Za-z])(?!(?:sqrt|sin|cos|tan|log|exp|and|inf|infty|pi)\b)[A-Za-z]{3,}")
_TEXTCMD = re.compile(r"\\(?:text|textbf|textit|textnormal|mbox|mathrm|mathbf|operatorname|begin|end)\s*\{[^{}]*\}")
_MATHLIKE = re.compile(r"[\x20-\x7e\t\n°π√∞≤≥≠×÷−·⋅²³]*")


def _is_prose(s: str) -> bool:
    """Two or more words (3+ letters, not commands or function names): a sentence, not math."""
    words = _WORD.finditer(_TEXTCMD.sub(" ", s))
    return next(words, None) is not None and next(words, None) is not None


def _substantive(s: str) -> bool:
    return bool(re.search(r"[\d\\]", s))


def _items(text: str) -> list[tuple[int, int, str]]:
    """Math spans (without prose) and bare numbers/fractions outside them, as (start, end, text)."""
    out, taken = [], [(m.start(), m.end()) for m in _BAD_SPAN.finditer(text)]
    for m in _SPAN.finditer(text):
        body = next(g for g in m.groups() if g is not None)
        if not _is_prose(body) and body.strip():
            out.append((m.start(), m.end(), body))
            taken.append((m.start(), m.end()))
    taken.sort()
    starts = [a for a, _ in taken]
    for m in _NUM_TOKEN.finditer(text):
        k = bisect.bisect_right(starts, m.start()) - 1  # the covering span, if any, starts last before it
        if k < 0 or not any(a <= m.start() < b for a, b in taken[max(0, k - 2):k + 1]):
            out.append((m.start(), m.end(), m.group()))
    out.sort(key=lambda t: (t[1], -t[0]))
    return out


def _math_like(s: str) -> bool:
    if _word_number(s) != s:
        return True
    if not s or len(s) > 200 or _MATHLIKE.fullmatch(s) is None or _is_prose(s) or re.search(r"\$|\\\[|\\\(", s):
        return False
    # "4 4/9 2" is a sequence of numbers, not one expression (a mixed number or "1 000" is fine)
    return not (re.fullmatch(r"[-+]?\d[\d./]*(?:\s+\d[\d./]*)+", s.strip()) and parse_number(s) is None)


def _anchored(text: str) -> tuple[int, str] | None:
    """(end position, answer) from the last answer phrase that is followed by something usable."""
    for m in reversed(list(_ANCHOR.finditer(text))):
        seg = text[m.end():m.end() + 300]
        spans = [(a.start(), a.end()) for a in _SPAN.finditer(seg)]
        cut = next((e.start() for e in _SENT_END.finditer(seg)
                    if not any(a < e.start() < b for a, b in spans)), len(seg))
        seg = seg[:cut]
        whole = seg.strip(_STRIP_CHARS).rstrip(".")
        if _math_like(whole):
            return m.end() + cut, whole
        items = sorted(_items(seg))
        if items:
            i = next((k for k, it in enumerate(items) if _substantive(it[2])), len(items) - 1)
            run = _joined(seg, items, i, forward=True)
            return m.end() + run[-1][1], ", ".join(it[2].strip() for it in run)
    return None


def _joined(text: str, items: list, i: int, forward: bool) -> list:
    """items[i] plus its neighbours joined to it only by commas/"and"/"or" ("$1$ and $2$")."""
    run = [items[i]]
    step = 1 if forward else -1
    j = i + step
    while 0 <= j < len(items) and len(run) < 10:
        a, b = (run[-1], items[j]) if forward else (items[j], run[0])
        gap = text[a[1]:b[0]]
        if a[1] > b[0] or len(gap) > 20 or not _BOX_JOIN.fullmatch(gap):
            break
        run = run + [items[j]] if forward else [items[j]] + run
        j += step
    return run


def _last_item(text: str, after: int = 0) -> tuple[int, str] | None:
    """(end, text) of the last number/math span starting at `after` or later ("$-2$ and $1$" -> "-2, 1")."""
    items = [it for it in _items(text) if it[0] >= after]
    subst = [it for it in items if _substantive(it[2])] or items
    if not subst:
        return None
    spans = [it for it in subst if text[it[0]] in "$\\"]
    if spans and spans[-1] is subst[-1]:
        run = _joined(text, spans, len(spans) - 1, forward=False)
        return run[-1][1], ", ".join(it[2].strip() for it in run)
    return subst[-1][1], subst[-1][2]


def extract_candidates(text: str) -> list[str]:
    """Answer strings of a response, best first (not normalised): boxed or answer phrase, whole
    response when it is a bare expression, else the last number/math span; then a number/math
    span after the first choice, as a second choice (used when the first does not parse).
    A response longer than MAX_TEXT must mark its answer (box or answer phrase)."""
    truncated = len(str(text)) > MAX_TEXT
    text = clean_text(text)
    box, anch = last_boxed(text), _anchored(text)
    whole = text.strip(_STRIP_CHARS).rstrip(".")
    if box and not (anch and anch[0] > box[0]):
        first = box
    elif anch:
        first = anch
    elif truncated:
        return []
    elif _math_like(whole):
        return [re.sub(r"^[A-Za-z][A-Za-z ]{0,20}:\s*(?=\S)", "", whole)]  # "Total: 12" -> "12"
    else:
        first = _last_item(text)
    if first is None:
        return []
    alt = _last_item(text, after=first[0])
    return [first[1]] if alt is None or alt[1] == first[1] else [first[1], alt[1]]


def extract_raw(text: str) -> str | None:
    """The best answer string of a response (not normalised), or None."""
    cands = extract_candidates(text)
    return cands[0] if cands else None


# ------------------------------------------------------------------------- multiple choice
_CHOICE_ANCHOR = re.compile(_ANCHOR.pattern + r"|(?i:\b(?:option|choice)\b)")
_LETTER = re.compile(r"(?<![A-Za-z'’\\])[(\[]?([A-Z])[)\]]?(?![A-Za-z'’])")


def _letter_text(text: str) -> str:
    text = re.sub(r"\\(?:text|textbf|mathrm|mathbf|mbox)\s*\{([^{}]*)\}", r"\1", text)
    return re.sub(r"\$|\*\*|\\\(|\\\)|\\\[|\\\]|\\ |\\q?quad\b", " ", text)


def _start_letter(s: str) -> str | None:
    m = re.match(r"\s*[(\[]?([A-Z])[)\]]?(?=$|[.:),。、，]|[^\x00-\x7f]|\s+(?:$|[A-Z0-9(]|[^\x00-\x7f]))", s)
    return m.group(1) if m else None


def gold_letter(gold: str) -> tuple[str, str] | None:
    """(letter, option text) when the gold answer is a multiple-choice option: "B", "(B) 12",
    "C Cecile", "... the answer is (C)"; None otherwise."""
    g = _letter_text(_unwrap_boxed(gold)).strip()
    m = re.fullmatch(r"[(\[]?([A-Z])[)\]]?\s*\.?", g)
    if m:
        return m.group(1), ""
    m = re.match(r"\(([A-Z])\)\s+(\S.*)|([A-Z])[.)]\s+(\S.*)", g, re.S) if len(g) <= 200 else None
    if not m and len(g) <= 60 and "\\" not in g:  # short option lines: "C Cecile"
        m = re.match(r"([A-Z])\s+([A-Z][a-z].*)", g, re.S)
    if m:
        letter, option = [x for x in m.groups() if x]
        return letter, option.strip()
    m = re.search(r"(?i:answer\s+is)\s*[:：]?\s*(?:\(([A-Z])\)|([A-Z])(?=\s*(?:$|[.)])|\s+[A-Z][a-z]))", g)
    return (m.group(1) or m.group(2), "") if m else None


def extract_choice(text: str, allowed: str = "ABCDE") -> str | None:
    """The option letter a response chose: boxed, after an answer phrase, leading, or last."""
    text = clean_text(text)
    box = last_boxed(text)
    if box:
        letter = _start_letter(_letter_text(box[1]))
        if letter and letter in allowed:
            return letter
    plain = _letter_text(text)
    for m in reversed(list(_CHOICE_ANCHOR.finditer(plain))):
        hit = next((x.group(1) for x in _LETTER.finditer(plain[m.end():m.end() + 80]) if x.group(1) in allowed), None)
        if hit:
            return hit
    letter = _start_letter(plain)
    if letter and letter in allowed:
        return letter
    # last resort: the last letter that stands out: "(C)", "B." / "B)" / "B:", or ending the text
    found = [x for x in _LETTER.finditer(plain) if x.group(1) in allowed and (
        x.group()[0] in "([" or re.match(r"\s*(?:[.:)!。]|$)", plain[x.end():x.end() + 3]))]
    if found:
        return found[-1].group(1)
    # "Because B is valid": the only option letter that stands alone ("A" before a word is an article)
    alone = {x.group(1) for x in re.finditer(r"(?<![A-Za-z'’\\])([A-Z])(?![A-Za-z'’])", plain)
             if x.group(1) in allowed and not (x.group(1) == "A" and re.match(r" [a-z]", plain[x.end():x.end() + 2]))}
    return alone.pop() if len(alone) == 1 else None


# ---------------------------------------------------------------------------------- normalise
