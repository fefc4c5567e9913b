"""Normalised answer strings and exact numbers for the math verifier: units, number words, LaTeX
markup, fractions / decimals / percents / repeating decimals, a bounded arithmetic evaluator, and
the size guards that keep the symbolic path away from inputs too big to parse. No eval, no sympy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from verifiers._text import MAX_ANSWER, MAX_DEPTH, _STRIP_CHARS, _UNI_RE, _UNICODE, boxed_spans


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
