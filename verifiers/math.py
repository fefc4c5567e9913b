"""The "math" verifier: extract the final answer of a solution and check it against the gold answer.

    verdict = math_verifier({"answer": "\\frac{1}{2}"}, "... so the answer is $\\boxed{0.5}$.")
    verdict.score    # 1.0
    verdict.details  # {"extracted": "0.5", "gold": "\\frac{1}{2}", "path": "fast"}

Extraction (`extract_answer`): the last \\boxed{}/\\fbox{} (boxes joined by "and" are combined), an
answer phrase ("the answer is", "Final Answer:", "####", "la réponse est", "答案是", ...) when it
comes after the last box, the whole response when it is a bare math expression, else the last
number or math span. Multiple-choice golds ("B", "(B) 12", "C Cecile") compare the option letter
(boxed, after an answer phrase in several languages, leading, the last one that stands out, or
the only option letter that stands alone). Boxes joined by commas/"and" (also "\\text{ for part (a)
and }" or "y_2 =") are combined; boxes in separate displays ("$$\\boxed{20}$$ \\boxed{143}") are not.

Comparison (`math_equal`), cheapest first:
  fast      both sides plain numbers or plain arithmetic (integers, decimals, a/b, \\frac, mixed
            numbers, percents, repeating decimals, 2^6; thousands separators, units, currency
            stripped): exact rationals, 50% == 0.5 == 1/2, 50% == 50 (but 0.5 != 50; a percent on
            a mixed number scales it: 4 4/9% is 40/900), and a tolerance only between a decimal
            and an exact value (relative 1e-4 and at most one unit of its last digit, or correctly
            rounded with >= 4 significant digits); "10cm" is not 10 (a short unit needs a space);
  string    equal after normalisation;
  symbolic  math-verify (latex2sympy + sympy) on the two answer strings: expressions, intervals,
            sets, tuples, matrices, equations and inequalities;
  numeric   both sides evaluate to numbers: a decimal within rounding of an exact value;
  elements  lists, tuples and intervals element by element (so each element gets the above).

Safety: responses are untrusted. Nothing is eval'd; only the tail of a response is searched (a
response longer than that must mark its answer with a box or an answer phrase); the
symbolic path refuses long, deeply nested or explosive answers (power towers, huge exponents or
factorials) and runs under math-verify's timeouts in the main thread (elsewhere the caller's
process pool must enforce a hard limit, since signal-based timeouts only work in the main thread).
"""
from __future__ import annotations

import math
import re
import string
import threading
import time
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, Mapping

from verifiers import Verdict, verifier
from verifiers._extract import extract_candidates, extract_choice, extract_raw, gold_letter
from verifiers._numbers import Num, clock_minutes, normalize, parse_number, parse_value, too_risky
from verifiers._text import clean_text

__all__ = ["math_verifier", "math_equal", "extract_answer"]

_TIMEOUT_S = 1  # math-verify's per-call limit (parse / verify), main thread only
_BUDGET_S = 0.5  # no further symbolic step starts after this much time on one comparison
_DEEP = re.compile(r"(?:[({\[]\s*){50}")  # 50 brackets opened in a row: junk, not mathematics
_GLUED_UNIT = re.compile(r"-?\d+(?:\.\d+)?[A-Za-z]{1,3}")
_RELATION = re.compile(r"=|<|>|\\[lg]eq?\b|\\[lg]t\b|\\neq?\b|\\approx|\\in\b|\\to\b")


def _timeout() -> int | None:
    """math-verify's timeouts use SIGALRM, which only works in the main thread."""
    return _TIMEOUT_S if threading.current_thread() is threading.main_thread() else None


@lru_cache(maxsize=1)
def _mv():
    import math_verify as mv

    return mv, [mv.LatexExtractionConfig(boxed_match_priority=0)]  # no ExprExtraction: no parse_expr


@lru_cache(maxsize=4096)
def _parse(answer: str, timeout: int | None) -> tuple:
    """math-verify's parse of one normalised answer string (sympy objects + its string form)."""
    if not answer or too_risky(answer):
        return ()
    mv, configs = _mv()
    try:
        return tuple(mv.parse("$" + answer + "$", configs, parsing_timeout=timeout))
    except Exception:  # noqa: BLE001 - parser failures are a "no"
        return ()


def _verify(gold: tuple, pred: tuple, timeout: int | None) -> bool:
    if not gold or not pred:
        return False
    mv, _ = _mv()
    try:
        return bool(mv.verify(list(gold), list(pred), timeout_seconds=timeout))
    except Exception:  # noqa: BLE001
        return False


def warm_up() -> None:
    """Do the first-use work of the sympy path (import math-verify, sympy and the LaTeX parser; sympy's
    lazily imported simplification) now: ~1 s here, more on a cold machine. The reward pool's
    forkserver calls it (verifiers/warm.py), so that no worker spends a check's time limit on it."""
    for gold, response in (("7/12", "x^2 + \\sqrt{3}"), ("2x + 1", "\\frac{4x+2}{2}"), ("x = 3", "x=3")):
        try:
            math_verifier({"task": "math", "answer": gold, "meta": {}}, response)
        except Exception:  # noqa: BLE001 - math-verify missing or broken: the checks report it
            pass


# ------------------------------------------------------------------------------------- gold
@dataclass(frozen=True)
class _Gold:
    answer: str  # normalised gold answer
    letter: str | None  # multiple-choice option letter
    num: Num | None  # plain number, for the fast path
    relation: bool  # gold is an equation/inequality/membership
    option: str = ""  # text after a multiple-choice letter: "12" in "(C) 12"


@lru_cache(maxsize=8192)
def _gold(gold: str) -> _Gold:
    choice = gold_letter(clean_text(gold))
    if choice:
        return _Gold(choice[0], choice[0], None, False, choice[1])
    raw = extract_raw(gold)
    answer = normalize(raw if raw is not None else clean_text(gold))
    return _Gold(answer, None, parse_value(answer), bool(_RELATION.search(answer)))


def _gold_str(gold: Any) -> str:
    if isinstance(gold, float) and math.isfinite(gold):
        return str(int(gold)) if gold.is_integer() else repr(gold)
    return str(gold)


# ------------------------------------------------------------------------------- comparison
def _close(x: float, y: float, dec: Num) -> bool:
    """A decimal `dec` (one of x, y) approximates the other: within relative 1e-4 and within one unit
    of its last written digit (so a truncation counts, but "10000.0" is not 20001/2), or correctly
    rounded with >= 4 significant digits."""
    diff = abs(x - y)
    unit = 10.0 ** -dec.decimals * (1 + 1e-9) if dec.decimals else math.inf
    if diff <= 1e-4 * max(abs(x), abs(y)) and diff <= unit:
        return True
    return dec.sig >= 4 and diff <= 0.5 * unit


def _eq(a: Fraction, an: Num, b: Fraction, bn: Num) -> bool:
    if a == b:
        return True
    dec, other = (an, bn) if an.decimals else (bn, an)
    if not dec.decimals or not other.frac:  # tolerance only for a decimal against a fraction
        return False
    return _close(float(a), float(b), dec)


def _num_equal(g: Num, p: Num) -> bool:
    """Plain numbers, percent-aware: 50% == 50 == 0.5 (vs. 50%), but 0.5 != 50. A percent on a
    mixed number applies to the whole value: "4 4/9%" is 40/900, never 40/9."""
    lone_pct = g if g.pct and not p.pct else p if p.pct and not g.pct else None
    if not (lone_pct and lone_pct.mixed) and _eq(g.value, g, p.value, p):
        return True
    if g.pct and not p.pct:
        return _eq(g.value / 100, g, p.value, p)
    if p.pct and not g.pct:
        return _eq(g.value, g, p.value / 100, p)
    return False


def _plain(s: str) -> str:
    s = re.sub(r"\\(?:text|textbf|mathrm|mbox|textnormal)\s*\{([^{}]*)\}", r"\1", s)
    s = re.sub(r"\s+|\\[,;: ]|\\left|\\right", "", s).replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    return s.lower() if re.fullmatch(r"[A-Za-z]{2,}", s) else s


def _limited(fn, timeout: int | None):
    """fn() under math-verify's SIGALRM timeout (main thread); None on timeout or error."""
    from math_verify.errors import TimeoutException
    from math_verify.utils import timeout as with_timeout

    try:
        return with_timeout(timeout_seconds=timeout)(fn)()
    except (Exception, TimeoutException):  # noqa: BLE001 - TimeoutException is a BaseException
        return None


@lru_cache(maxsize=4096)
def _value(answer: str, timeout: int | None):
    """The real numeric value (a sympy Float) of an answer that is a plain number expression."""
    import sympy

    expr = next((x for x in _parse(answer, timeout) if isinstance(x, sympy.Expr)), None)
    if expr is None:
        return None

    def run():
        if expr.free_symbols or not expr.is_number:
            return None
        val = sympy.N(expr, 20)
        return val if val.is_real and val.is_finite else None

    return _limited(run, timeout)


def _numeric(g: _Gold, pred: str, pnum: Num | None, timeout: int | None) -> bool:
    """Numbers that sympy could not match exactly: a decimal vs its exact value, sqrt forms."""
    gv, pv = _value(g.answer, timeout), _value(pred, timeout)
    if gv is None or pv is None:
        return False
    try:
        gf, pf = float(gv), float(pv)
    except (OverflowError, TypeError, ValueError):
        return False
    if not (math.isfinite(gf) and math.isfinite(pf)):
        return False
    dec = pnum if pnum and pnum.decimals else g.num if g.num and g.num.decimals else None
    if dec is not None:
        return _close(gf, pf, dec)
    return abs(gf - pf) <= 1e-9 * max(1.0, abs(gf))


def _tiny_mismatch(g: _Gold, pred: str, timeout: int | None) -> bool:
    """math-verify rounds to 6 decimals, so 1/2^99 "equals" 1/2^98: recheck tiny numbers."""
    gv, pv = _value(g.answer, timeout), _value(pred, timeout)
    if gv is None or pv is None:
        return False
    big = max(abs(gv), abs(pv))
    return bool(big < 1e-3 and abs(gv - pv) > 1e-6 * big)


def _equal(g: _Gold, pred: str, deadline: float | None = None) -> tuple[bool, str]:
    """(equal, path). Symbolic steps start only before `deadline` (each is capped by timeouts)."""
    if not pred:
        return False, "none"
    pnum = parse_value(pred)
    if g.num and pnum:
        same = _num_equal(g.num, pnum)
        if same or not (g.num.ambiguous or pnum.ambiguous):
            return same, "fast"
    if _plain(g.answer) == _plain(pred):
        return True, "string"
    clock = clock_minutes(g.answer)
    if clock is not None and clock == clock_minutes(pred):
        return True, "string"
    if too_risky(pred) or too_risky(g.answer):
        return False, "refused"
    if (g.num and _GLUED_UNIT.fullmatch(pred)) or (pnum and _GLUED_UNIT.fullmatch(g.answer)):
        return False, "string"  # "10cm" / "10m" is not 10: a short unit needs a space ("10 cm")
    deadline = time.monotonic() + _BUDGET_S if deadline is None else deadline
    timeout = _timeout()
    if _verify(_parse(g.answer, timeout), _parse(pred, timeout), timeout):
        return not _tiny_mismatch(g, pred, timeout), "symbolic"
    if time.monotonic() < deadline and _numeric(g, pred, pnum, timeout):
        return True, "numeric"
    if time.monotonic() < deadline and _elementwise(g, pred, deadline):
        return True, "elementwise"
    return False, "symbolic"


def _split_top(s: str) -> list[str]:
    """Split a bare list "a, b, c" at top-level commas."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(s[start:i].strip())
            start = i + 1
    return parts + [s[start:].strip()]


def _as_tuple(s: str) -> str:
    """A one-row or one-column matrix as a tuple: \\begin{pmatrix} 2 \\\\ -1 \\end{pmatrix} -> (2, -1)."""
    m = re.fullmatch(r"\\begin\{[pbvB]?matrix\}(.*)\\end\{[pbvB]?matrix\}", s, re.S)
    if not m:
        return s
    rows = [r.split("&") for r in re.split(r"\\\\", m.group(1)) if r.strip()]
    if len(rows) == 1:
        cells = rows[0]
    elif all(len(r) == 1 for r in rows):
        cells = [r[0] for r in rows]
    else:
        return s
    return "(" + ", ".join(c.strip() for c in cells) + ")"


def _elementwise(g: _Gold, pred: str, deadline: float) -> bool:
    """Lists, tuples and intervals element by element, so that each element gets the numeric
    tolerance: "1/3, \\sqrt3" vs "0.3333, 1.732" (unordered), "(3/5, 8/3]" vs "(0.6, 2.6667]"."""
    ga, pa = _as_tuple(g.answer.strip()), _as_tuple(pred.strip())
    vector = ga != g.answer.strip() or pa != pred.strip()  # a one-row/column matrix: (a, b) or [a, b]
    ordered = bool(ga and pa and ga[0] in "([" and ga[-1] in ")]" and pa[0] in "([" and pa[-1] in ")]" and (
        (ga[0] == pa[0] and ga[-1] == pa[-1]) or (vector and ga[0] + ga[-1] in ("()", "[]")
                                                  and pa[0] + pa[-1] in ("()", "[]"))))
    if ordered:
        ga, pa = ga[1:-1], pa[1:-1]
    elif g.relation or re.match(r"[(\[{]|\\\{", ga) or re.match(r"[(\[{]|\\\{", pa):
        return False
    gs, ps = _split_top(ga), _split_top(pa)
    if len(gs) != len(ps) or not 2 <= len(gs) <= 8 or not all(gs) or not all(ps):
        return False
    if ordered:
        return all(_equal(_gold(a), b, deadline)[0] for a, b in zip(gs, ps))
    left = list(ps)
    for one in gs:
        hit = next((p for p in left if _equal(_gold(one), p, deadline)[0]), None)
        if hit is None:
            return False
        left.remove(hit)
    return True


_FUNC_LHS = re.compile(r"\s*[a-zA-Z]\s*\(\s*[a-z]\s*\)\s*=(?!=)")  # "f(x) ="


def _fit_to_gold(pred: str, g: _Gold) -> str:
    """Keep the value of "x = 5" / "x ≈ 5" when the gold is a bare value."""
    if g.relation and re.match(r"\s*y\s*=", g.answer) and _FUNC_LHS.match(pred):
        return "y = " + pred[_FUNC_LHS.match(pred).end():].strip()  # "f(x) = 2x" for gold "y = 2x"
    if g.relation or "," in pred:
        return pred
    if "=" in pred and "==" not in pred and not re.search(r"[<>]=|\\[lg]e", pred):
        if pred.startswith("(") and pred.endswith(")"):
            pred = pred[1:-1]  # "(35 + 70 = 105)"
        pred = pred.rsplit("=", 1)[1].strip()
    if "\\approx" in pred:
        left, right = pred.split("\\approx", 1)
        pred = right.strip() if re.fullmatch(r"\s*\\?[A-Za-z]+(?:_\{?\w+\}?)?\s*", left) else left.strip()
    return pred


def _judge(gold: str, response: str) -> tuple[bool, str | None, str, str]:
    """(correct, extracted answer, path, normalised gold)."""
    g = _gold(gold)
    if g.letter:
        last = max(g.letter, "E")
        allowed = string.ascii_uppercase[: string.ascii_uppercase.index(last) + 1]
        got = extract_choice(response, allowed)
        if got is None and g.option:  # no letter chosen: the option's text ("(C) 12" vs "12") counts
            raw = extract_raw(response)
            if raw is not None and _equal(_gold(g.option), normalize(raw))[0]:
                return True, normalize(raw), "choice", g.answer
        return got == g.letter, got, "choice", g.answer
    if _too_deep(response):
        return False, None, "refused", g.answer
    cands = extract_candidates(response)
    if not cands:
        return False, None, "none", g.answer
    if g.relation and g.answer.count("=") == 1 and _FUNC_LHS.match(g.answer):
        g = _gold(g.answer[_FUNC_LHS.match(g.answer).end():])  # "f(x) = 2x + 3" / "y = ...": the value
    pred = _fit_to_gold(normalize(cands[0]), g)
    ok, path = _equal(g, pred)
    if not ok and len(cands) > 1 and not too_risky(pred) and not _parses(pred):  # unreadable: next
        alt = _fit_to_gold(normalize(cands[1]), g)
        if _equal(g, alt)[0]:
            return True, alt, "second", g.answer
    return ok, pred, path, g.answer


def _too_deep(text: str) -> bool:
    """Junk such as 10k nested brackets: no answer is read out of it."""
    return _DEEP.search(clean_text(text)) is not None


def _parses(pred: str) -> bool:
    """Whether an answer string means something: a plain number or a sympy parse."""
    return parse_number(pred) is not None or any(not isinstance(x, str) for x in _parse(pred, _timeout()))


# ------------------------------------------------------------------------------ public API
def extract_answer(text: str) -> str | None:
    """The final answer of a solution text, normalised (None when nothing answer-like is found)."""
    raw = extract_raw(text)
    return normalize(raw) if raw is not None else None


def math_equal(gold: Any, pred_text: str) -> bool:
    """Whether the solution text `pred_text` reaches the gold answer."""
    try:
        return _judge(_gold_str(gold), str(pred_text))[0]
    except Exception:  # noqa: BLE001 - a verifier must not take the trainer down
        return False


@verifier("math")
def math_verifier(sample: Mapping[str, Any], response: str) -> Verdict | None:
    """1.0 when the response's final answer equals sample["answer"] (None without an answer).

    A list/tuple of golds accepts any of them.
    """
    gold = sample.get("answer") if isinstance(sample, Mapping) else None
    if gold is None:
        return None
    golds = list(gold) if isinstance(gold, (list, tuple)) else [gold]
    details: dict[str, Any] = {}
    for one in golds:
        try:
            ok, extracted, path, norm_gold = _judge(_gold_str(one), str(response or ""))
        except Exception as e:  # noqa: BLE001
            ok, extracted, path, norm_gold = False, None, f"error: {type(e).__name__}", _gold_str(one)
        if isinstance(extracted, str) and len(extracted) > 300:
            extracted = extracted[:300] + "..."
        details = {"extracted": extracted, "gold": norm_gold, "path": path}
        if ok:
            return Verdict(1.0, details)
    return Verdict(0.0, details)
