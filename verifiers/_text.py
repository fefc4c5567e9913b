"""Untrusted response text made safe to search: size limits, control characters, unicode math
symbols, and the brace-matched spans of \\boxed{...}. Plain string work, no eval.
"""
from __future__ import annotations

import re

MAX_TEXT = 12_000  # only the tail of a response is searched for its answer
MAX_ANSWER = 400  # longest answer string given to the symbolic (sympy) path
MAX_DEPTH = 10  # deepest bracket nesting given to the symbolic path (parse time grows fast)

_CTRL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UNICODE = {"−": "-", "–": "-", "×": "\\times ", "÷": "\\div ", "π": "\\pi ", "∞": "\\infty ", "≤": "\\le ",
            "≥": "\\ge ", "≠": "\\ne ", "√": "\\sqrt", "·": "\\cdot ", "⋅": "\\cdot ", "，": ",", "：": ":",
            "＄": "$", "²": "^2", "³": "^3", "\u00a0": " "}
_UNI_RE = re.compile("|".join(map(re.escape, _UNICODE)))


# full-width ASCII forms ("（Ｂ）", "３", "："), CJK punctuation, curly quotes, the minus sign, markdown
# emphasis; not NFKC ("5²" must not become 52)
_PLAIN = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {
    0x3000: " ", ord("。"): ". ", ord("、"): ", ", ord("“"): '"', ord("”"): '"', ord("‘"): "'", ord("’"): "'",
    ord("−"): "-", ord("*"): None, ord("`"): None,
}
MAX_PLAIN = 200_000  # longer responses are cut to their head and tail


def plain_text(text: str) -> str:
    """Full-width forms and CJK punctuation as ASCII, markdown emphasis removed (for the choice and
    count verifiers, which read a response's head as well as its tail)."""
    if len(text) > MAX_PLAIN:
        text = text[: MAX_PLAIN // 2] + "\n" + text[-MAX_PLAIN // 2 :]
    return text.translate(_PLAIN)


def clean_text(text: object) -> str:
    """The searchable tail of a response: str, last MAX_TEXT chars, control characters removed."""
    text = str(text)
    if len(text) > MAX_TEXT:
        text = text[-MAX_TEXT:]
    return _CTRL.sub("", text)


# ---------------------------------------------------------------------------------- \boxed{...}
_BOX = re.compile(r"\\(?:boxed|fbox)\s*")
_BOX_JOIN = re.compile(r"(?:\s|\$|,|;|\\quad|\\qquad|\\[,;()\[\]]|\\text\{\s*(?:and|or)\s*\}|\band\b|\bor\b|&)*")
# between boxes also: "\text{ for part (a) and }", and the name of the next value ("\) and \( y_2 =")
_BOX_GAP = re.compile(r"(?:\s|\$|,|;|\\quad|\\qquad|\\[,;()\[\]]|\\text\{[^{}]{0,30}?\b(?:and|or)\s*\}|\band\b|\bor\b|&"
                      r"|(?<![A-Za-z\\])[A-Za-z](?:_\{?\w{1,3}\}?)?\s*=)*")
_SEPARATOR = re.compile(r"[,;&]|\band\b|\bor\b")


def _brace_pairs(text: str) -> dict[int, int]:
    """Index of every '{' -> index of its matching '}' (one linear pass, no recursion)."""
    pairs, stack = {}, []
    for i, ch in enumerate(text):
        if ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            pairs[stack.pop()] = i
    return pairs


def boxed_spans(text: str) -> list[tuple[int, int, str]]:
    """Outermost \\boxed{...} / \\fbox{...} contents as (start, end, content), in text order."""
    if "\\boxed" not in text and "\\fbox" not in text:
        return []
    pairs, out, last_end = _brace_pairs(text), [], -1
    for m in _BOX.finditer(text):
        if m.start() < last_end:
            continue  # nested inside the previous box
        j = m.end()
        if j < len(text) and text[j] == "{":
            close = pairs.get(j)
            if close is None:
                continue
            out.append((m.start(), close + 1, text[j + 1:close]))
        else:
            tok = re.match(r"[^\s$}]+", text[j:j + 100])
            if tok is None:
                continue
            out.append((m.start(), j + tok.end(), tok.group()))
        last_end = out[-1][1]
    return out


def last_boxed(text: str) -> tuple[int, str] | None:
    """(end position, content) of the last box; boxes joined only by 'and'/commas are combined."""
    spans = boxed_spans(text)
    if not spans:
        return None
    group = [spans[-1]]
    for prev in reversed(spans[:-1]):
        gap = text[prev[1]:group[0][0]]
        if len(gap) > 40 or not _BOX_GAP.fullmatch(gap):
            break
        if re.search(r"\$\$|\\[\[\]]", gap) and not _SEPARATOR.search(gap):
            break  # "$$\boxed{20}$$ \boxed{143}": separate displays, nothing joins them
        group.insert(0, prev)
    return group[-1][1], ", ".join(s[2].strip() for s in group)


# ------------------------------------------------------------------ "the answer is" and friends
_STRIP_CHARS = " \t\n:：*\"'`"
