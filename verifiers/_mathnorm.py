"""Text side of the math verifier: answer extraction, normalisation, plain numbers, size guards.

Everything here is plain string work on untrusted model output: no eval, no sympy, bounded input
and regular expressions without nested quantifiers. `verifiers.math` builds on it.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from fractions import Fraction

MAX_TEXT = 12_000  # only the tail of a response is searched for its answer
MAX_ANSWER = 400  # longest answer string given to the symbolic (sympy) path
MAX_DEPTH = 10  # deepest bracket nesting given to the symbolic path (parse time grows fast)

_CTRL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UNICODE = {"−": "-", "–": "-", "×": "\\times ", "÷": "\\div ", "π": "\\pi ", "∞": "\\infty ", "≤": "\\le ",
            "≥": "\\ge ", "≠": "\\ne ", "√": "\\sqrt", "·": "\\cdot ", "⋅": "\\cdot ", "，": ",", "：": ":",
            "＄": "$", "²": "^2", "³": "^3", "\u00a0": " "}
_UNI_RE = re.compile("|".join(map(re.escape, _UNICODE)))


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
_ANCHOR = re.compile(
    r"(?i)(?:final\s+answer(?:\s+is)?|(?:the\s+)?answer\s+is|answer\s*[:：]|correct\s+(?:option|choice)\s+is"
    r"|(?:réponse|reponse)(?:\s+finale)?\s*(?:est|:|：)|(?:die\s+)?antwort\s*(?:ist|lautet|:)"
    r"|respuesta(?:\s+final|\s+correcta)?\s*(?:es|:)|risposta\s*(?:è|:)|resposta\s*(?:é|:)"
    r"|最终答案(?:是|为)?|答案\s*(?:是|为|為|:|：)|答え(?:は)?|정답(?:은|는)?\s*[:：]?|ответ\s*(?:[:：]|—|-)|الإجابة"
    r"|उत्तर\s*[:：]|đáp\s+án(?:\s+là)?|cevap\s*[:：]?|jawaban(?:nya)?\s*(?:adalah|:)|####)")
_SENT_END = re.compile(r"\.(?=\s|$)|\n\s*\n|[。！？]|I hope")
_STRIP_CHARS = " \t\n:：*\"'`"


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
_UNIT_WORDS = ("units?|square|sq|cubic|cm|mm|km|m|meters?|metres?|centimeters?|kilometers?|inch(?:es)?|in|feet|foot|ft|"
               "yards?|yd|miles?|mi|mph|kg|g|grams?|kilograms?|mg|lbs?|pounds?|ounces?|oz|liters?|litres?|l|ml|"
               "seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?|years?|dollars?|cents?|"
               "degrees?|deg|radians?|rad|people|persons?|students?|apples?|cookies?|marbles?|books?|ways?|"
               "times|points?|pieces?|items?|boxes|balls?|coins?")
_TRAIL_UNIT = re.compile(r"(?<=[\d}).])\s*(?:\\(?:text|textbf|textit|textnormal|mbox|mathrm|rm)"
                         r"\s*\{\s*[A-Za-z][A-Za-z .]*\}"
                         r"|\s(?:" + _UNIT_WORDS + r")\b(?:\s+(?:" + _UNIT_WORDS + r")\b)*|(?:[a-z]{4,}))"
                         r"\s*(?:\^\s*\{?\s*[23]\s*\}?)?\s*$")
_PCT_WORD = re.compile(r"(?<=[\d}])\s*(?:\\%|%|\\text\{\s*%\s*\}|\\?\s*(?:percent(?:age)?|pct)\b"
                       r"|\\text\{\s*(?:percent|pct)\s*\})")
_FUNCS = re.compile(r"(?:sin|cos|tan|cot|sec|csc|log|exp|sqrt|frac|arc\w*)$")


def _strip_units(s: str) -> str:
    for _ in range(3):
        m = _TRAIL_UNIT.search(s)
        if not m or not s[:m.start()].strip() or _FUNCS.search(m.group().strip()):
            break
        s = s[:m.start()].rstrip()
    return s


def _unwrap_boxed(s: str) -> str:
    for _ in range(5):
        spans = boxed_spans(s)
        if not spans:
            break
        a, b, body = spans[-1]
        s = s[:a] + body + s[b:]
    return s


_SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


_NUMBER_WORDS = re.compile(r"(?i)\s*(?:(%s)(?:[- ](%s))?|(%s))\s*" % (
    "|".join(_TENS), "|".join(_SMALL[1:10]), "|".join(_SMALL)))


def _word_number(s: str) -> str:
    """"seven" -> "7", "twenty-five" -> "25" (only when the whole answer is a number word)."""
    m = _NUMBER_WORDS.fullmatch(s)
    if not m:
        return s
    if m.group(3):
        return str(_SMALL.index(m.group(3).lower()))
    return str(20 + 10 * _TENS.index(m.group(1).lower()) + (_SMALL.index(m.group(2).lower()) if m.group(2) else 0))


def clock_minutes(s: str) -> int | None:
    """"20:34", "20:34:00", "08:34 p.m." -> minutes after midnight (None if not a time)."""
    m = re.fullmatch(r"(?i)\s*(\d{1,2}):(\d{2})(?::00)?\s*(?:([ap])m)?\s*", s)
    if not m or int(m.group(2)) > 59 or int(m.group(1)) > 24:
        return None
    hour = int(m.group(1)) % 12 + (12 if (m.group(3) or "").lower() == "p" else 0) if m.group(3) else int(m.group(1))
    return hour * 60 + int(m.group(2))


_TRAIL_PUNCT = re.compile(r"(?<!\.)[.,;]\s*$")
_NO_LETTERS = str.maketrans("", "", "".join(chr(c) for c in range(128) if not chr(c).isalpha()))


def _clean_markup(s: str) -> str:
    """Typography: unicode symbols, boxes, escapes, dollars, currency, percent words, "and"/"or"."""
    s = _UNI_RE.sub(lambda m: _UNICODE[m.group()], s.strip())
    s = _unwrap_boxed(s)
    s = re.sub(r"^\\(?:text|textbf|mathrm|mbox)\s*\{\s*(-?\d[^{}]*)\}$", r"\1", s)  # \text{3 days}
    s = re.sub(r"(?<!\\)\\\\(?=[A-Za-z])", r"\\", s)  # \\frac -> \frac (doubly escaped input; not "\\\end")
    s = re.sub(r"(?<=[\w)}])\*\*(?=[\w({])", "^", s).replace("**", "")
    s = re.sub(r",\\!\s*", ",", s).replace("\\$", "").replace("$", "").replace("\\!", "").replace("{,}", ",")
    s = re.sub(r"\\mathrm\{([A-Za-z])\}", r"\1", s)
    s = re.sub(r"\\[\[\]()]|\\[bB]igg?[lr]?(?![A-Za-z])", "", s)
    s = re.sub(r"[€£¥₹]|(?<=\d)\s*°", "", s)
    s = _PCT_WORD.sub(r"\\%", s)
    s = re.sub(r"\\q?quad\b", " ", s)
    s = re.sub(r"(?<![\\A-Za-z])sqrt\s*\(([^()]{1,40})\)", r"\\sqrt{\1}", s)  # plain-text sqrt(3)
    s = re.sub(r"(?<=[\d$}])\s+or\s+(?=[-\d\\a-zA-Z(])", ", ", s)  # "x = 1 or x = 3"
    # "m = 3, n = 1 and m = 5, n = 1": "and" between groups of assignments separates solutions
    sep = "; " if re.search(r"=[^=]*,.*(?:\\text\{\s*and\s*\}|\band\b).*=[^=]*,", s) else ", "
    return re.sub(r",?\s*\\text\{\s*(?:and|or)\s*\}\s*|,?\s+and\s+|,\s*and\s*", sep, s)


def _clean_value(s: str) -> str:
    """Decorations of a value: degrees, empty set, clock times, ordinals, units, number words."""
    if re.search(r"\\(?:sin|cos|tan|cot|sec|csc)", s):  # degrees inside trig functions
        s = re.sub(r"(\d+(?:\.\d+)?)\s*\^\s*\{?\s*\\circ\s*\}?", r"(\1\\pi/180)", s)
    s = re.sub(r"(?<=\d)\s*(?:\^\s*\{?\s*\\circ\s*\}?|\\text\{\s*degrees?\s*\}|\s+degrees?\b)", "", s)
    s = re.sub(r"\\varnothing|\\\{\s*\\\}|^\{\s*\}$", r"\\emptyset", s)
    s = re.sub(r"(\d{1,2}:\d{2})\s*(?:\\text\{\s*)?([AaPp])\.?\s*[Mm]\.?\s*\}?", r"\1\2m", s)  # 8:34 p.m.
    s = re.sub(r"(?<=\d)\s*(?:\^\s*\{?\s*\\text\{\s*(?:st|nd|rd|th)\s*\}\s*\}?|(?:st|nd|rd|th)\b)", "", s)  # 11th
    s = _strip_units(_TRAIL_PUNCT.sub("", s.strip()))
    s = _word_number(s)
    s = re.sub(r"(?<![\\A-Za-z])inf(?:inity)?(?![A-Za-z])", r"\\infty", s)
    s = _TRAIL_PUNCT.sub("", s.strip().strip(_STRIP_CHARS))
    if re.fullmatch(r"-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?", s):
        s = s.replace(",", "")
    if "i" in s and not re.sub(r"\\[A-Za-z]+|(?<![A-Za-z])i(?![A-Za-z])", "", s).translate(_NO_LETTERS).strip():
        s = re.sub(r"(?<![A-Za-z\\])i(?![A-Za-z])", "I", s)  # only letter is i: the imaginary unit
    return s


def normalize(s: str) -> str:
    """Cheap, meaning-preserving cleanup of an answer string before parsing/comparison."""
    if len(s) > 4 * MAX_ANSWER:
        return s.strip()  # far too long to be compared anyway
    return _clean_value(_clean_markup(s))


# ------------------------------------------------------------------------------ plain numbers
@dataclass(frozen=True)
class Num:
    value: Fraction
    pct: bool  # written with a percent sign
    decimals: int | None  # digits after the decimal point; None for an integer or a/b fraction
    frac: bool  # written as a fraction a/b
    sig: int  # significant digits written
    ambiguous: bool = False  # "1,25": a decimal comma or a list
    mixed: bool = False  # a mixed number: "4 4/9", "3\\frac{1}{2}"


_SIGN = r"(?P<sign>[-+]?)"
_NUMBER_RE = re.compile(
    _SIGN + r"(?:(?P<mw>\d{1,3}(?: \d{3})+|\d+)[ \t]*(?:[ \t](?P<ma>\d+)/(?P<mb>\d+)"
    r"|\\[dtc]?frac\{(?P<mfa>\d+)\}\{(?P<mfb>\d+)\}"
    r"|\\[dtc]?frac(?P<mfc>\d)(?P<mfd>\d))"
    r"|\\[dtc]?frac\{(?P<fs>-?)(?P<fa>\d+)\}\{(?P<fs2>-?)(?P<fb>\d+)\}|\\[dtc]?frac(?P<fc>\d)(?P<fd>\d)"
    r"|(?P<na>\d+)/(?P<nb>\d+)"
    r"|(?P<int>[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,2}(?: \d{3})+|\d+)?"
    r"(?:(?P<dec>\.\d*)|,(?P<cdec>\d+))?(?:[eE](?P<exp>[-+]?\d{1,3}))?)"
    r"(?P<pct>\\%)?")


_REPEATING = re.compile(r"(-?)(\d*)\.(\d*)\\overline\{(\d{1,20})\}")


def _repeating(m: re.Match) -> Num:
    """0.1\\overline{6} -> 1/6 (exact)."""
    whole, fixed, rep = m.group(2) or "0", m.group(3), m.group(4)
    val = Fraction(int(whole + fixed), 10 ** len(fixed)) + Fraction(int(rep), (10 ** len(rep) - 1) * 10 ** len(fixed))
    return Num(-val if m.group(1) else val, False, None, True, len(whole + fixed + rep))


def _number_parts(g: dict) -> tuple[Fraction, int | None, bool] | None:
    """(value, decimals, written as a fraction) from a _NUMBER_RE match, unsigned."""
    if g["mw"] is not None:  # mixed number: 3 1/2, 3\\frac{1}{2}, 3\\frac12
        a, b = (g["ma"], g["mb"]) if g["ma"] else (g["mfa"], g["mfb"]) if g["mfa"] else (g["mfc"], g["mfd"])
        if int(b) == 0 or int(a) >= int(b):
            return None
        return int(g["mw"].replace(" ", "")) + Fraction(int(a), int(b)), None, True
    if g["fa"] or g["fc"] or g["na"]:
        a, b = (g["fa"], g["fb"]) if g["fa"] else (g["fc"], g["fd"]) if g["fc"] else (g["na"], g["nb"])
        return Fraction(int(a), int(b)), None, True
    digits = (g["int"] or "").replace(",", "").replace(" ", "")
    if g["cdec"] is not None and len(g["cdec"]) == 1 and len(digits) == 1 and digits != "0":
        return None  # "1,2" is a list, not a decimal comma (unlike "1,25", "0,5" or "1234,5")
    frac_part = (g["dec"] or ".")[1:] if g["cdec"] is None else g["cdec"]
    if not digits and not frac_part:
        return None
    val = Fraction(int(digits or "0")) + (Fraction(int(frac_part), 10 ** len(frac_part)) if frac_part else 0)
    if g["exp"]:
        val *= Fraction(10) ** int(g["exp"])
    return val, (len(frac_part) if (g["dec"] or g["cdec"]) else None), False


def parse_number(s: str) -> Num | None:
    """A plain number (integer, decimal, a/b, \\frac{a}{b}, mixed number, percent) or None."""
    s = s.strip()
    if len(s) > 120:
        return None
    rep = _REPEATING.fullmatch(s)
    if rep:
        return _repeating(rep)
    m = _NUMBER_RE.fullmatch(s)
    if m is None:
        return None
    g = m.groupdict()
    try:
        parts = _number_parts(g)
    except (ZeroDivisionError, ValueError):
        return None
    if parts is None:
        return None
    val, dec, frac = parts
    neg = (g["sign"] == "-") ^ (g["fs"] == "-") ^ (g["fs2"] == "-")
    sig = len(re.sub(r"\D", "", m.group().split("e")[0].split("E")[0]).lstrip("0")) or 1
    amb = g["cdec"] is not None and g["int"] is not None and "," not in g["int"]
    return Num(-val if neg else val, bool(g["pct"]), dec, frac, sig, amb, g["mw"] is not None)


_ARITH_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?|\.\d+)|([-+*/^()]))")


def _arith_tokens(s: str) -> list[str] | None:
    for _ in range(8):  # \frac{a}{b} -> ((a)/(b)), innermost first
        s, n = re.subn(r"\\[dtc]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"((\1)/(\2))", s)
        if not n:
            break
    s = s.replace("\\cdot", "*").replace("\\times", "*").replace("\\div", "/").replace("{", "(").replace("}", ")")
    toks, pos, s = [], 0, s.strip()
    while pos < len(s):
        m = _ARITH_TOKEN.match(s, pos)
        if m is None or (m.group(1) and toks and re.match(r"[\d.)]", toks[-1][-1])):
            return None  # not arithmetic, or juxtaposed numbers ("4 4/9", "2(3)")
        toks.append(m.group(1) or m.group(2))
        pos = m.end()
    return toks if 0 < len(toks) <= 200 else None


def eval_arith(s: str) -> Fraction | None:
    """Exact value of plain arithmetic (numbers, + - * / ^, brackets, \\frac, \\cdot, \\times);
    None for anything else. Powers are bounded (integer exponents, results under ~20k bits)."""
    if len(s) > MAX_ANSWER or dangerous(s):
        return None
    toks = _arith_tokens(s)
    if toks is None:
        return None
    pos = 0

    def peek() -> str | None:
        return toks[pos] if pos < len(toks) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return toks[pos - 1]

    def expr(depth: int) -> Fraction:
        val = term(depth)
        while peek() in ("+", "-"):
            val = val + term(depth) if take() == "+" else val - term(depth)
        return val

    def term(depth: int) -> Fraction:
        val = unary(depth)
        while peek() in ("*", "/"):
            val = val * unary(depth) if take() == "*" else val / unary(depth)
        return val

    def unary(depth: int) -> Fraction:
        if peek() in ("+", "-"):
            return -unary(depth) if take() == "-" else unary(depth)
        base = atom(depth)
        if peek() != "^":
            return base
        take()
        exp = unary(depth)
        bits = max(abs(base.numerator), base.denominator).bit_length()
        if exp.denominator != 1 or abs(exp) > 4096 or bits * abs(exp) > 20000:
            raise ValueError("power too large or not an integer power")
        return base ** int(exp)

    def atom(depth: int) -> Fraction:
        tok = take() if depth < MAX_DEPTH else None
        if tok == "(":
            val = expr(depth + 1)
            if take() != ")":
                raise ValueError("unbalanced")
            return val
        if tok is None or not re.match(r"[\d.]", tok):
            raise ValueError("number expected")
        return Fraction(tok)

    try:
        val = expr(0)
        return val if pos == len(toks) else None
    except (ValueError, ZeroDivisionError, IndexError, OverflowError):
        return None


def parse_value(s: str) -> Num | None:
    """parse_number, or the exact value of plain arithmetic ("2^6", "11 + 4/9", "\\frac{10}{4}")."""
    num = parse_number(s)
    if num is not None or not re.search(r"[-+*/^(\\]", s):
        return num
    val = eval_arith(s)
    # with decimals inside ("2.31 \\times 10^{-3}") a mismatch is not final: rounding is checked later
    return None if val is None else Num(val, False, None, "." not in s, 0, ambiguous="." in s)


# ---------------------------------------------------------------------------------- guards
_CLOSER = {"(": ")", "{": "}", "[": "]"}
_OPENER = {v: k for k, v in _CLOSER.items()}


def _group(s: str, i: int, step: int) -> str:
    """The bracket group starting at s[i] (step 1) or ending at s[i] (step -1), or ""."""
    pair = _CLOSER if step == 1 else _OPENER
    if not 0 <= i < len(s) or s[i] not in pair:
        return ""
    depth, k = 0, i
    while 0 <= k < len(s):
        depth += (s[k] == s[i]) - (s[k] == pair[s[i]])
        if depth == 0:
            return s[min(i, k):max(i, k) + 1]
        k += step
    return ""


def _exponent(s: str, i: int) -> str:
    """The exponent written at s[i:] (after '^'): a bracket group or a signed token."""
    j = len(s) - len(s[i:].lstrip(" -+"))
    return _group(s, j, 1) or (re.match(r"[\w.]*", s[j:]).group() if j < len(s) else "")


def _nested_power(s: str) -> bool:
    """A power of a power with numbers only (9^9^9, 10^{10^{10}}, (9^9)^9): too big to compute."""
    for m in re.finditer(r"\^", s):
        base = _group(s, len(s[:m.start()].rstrip()) - 1, -1)
        exp = _exponent(s, m.end())
        chained = s[m.end():].lstrip(" -+")[len(exp):].lstrip().startswith("^")
        if "^" in base + exp or chained:
            if not re.search(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", "", base + exp)):
                return True
    return False


_BIG_EXP = re.compile(r"(?:\^|\*\*)\s*\{?\s*\(?\s*-?\s*(\d{5,})")
_FACT = re.compile(r"(\d+)\s*!(?!=)")


def dangerous(s: str) -> bool:
    """Explosive arithmetic that must never reach sympy: power towers, huge powers/factorials."""
    if "\\uparrow" in s or "**" in s or _BIG_EXP.search(s) or ("^" in s and _nested_power(s)):
        return True
    if any(int(m.group(1)) > 3000 for m in _FACT.finditer(s) if len(m.group(1)) < 8) or re.search(r"\d{8,}\s*!", s):
        return True
    if re.search(r"![)}\]]*\s*!|\)\s*!", s) and re.search(r"\d{3,}|\^", s):
        return True
    return bool(re.search(r"\\(?:sum|prod|int|lim|binom|choose)", s) and re.search(r"\d{5,}", s))


def too_risky(s: str) -> bool:
    """True when an answer must not reach sympy: too long, too deeply nested, or dangerous."""
    if len(s) > MAX_ANSWER:
        return True
    depth = peak = 0
    for ch in s:
        if ch in "([{":
            depth += 1
            peak = max(peak, depth)
        elif ch in ")]}":
            depth -= 1
    return peak > MAX_DEPTH or dangerous(s)
