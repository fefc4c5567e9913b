"""Local accuracy harness for the "math" verifier (verifiers/math.py).

A collection of (gold, prediction, expected) cases written for this project in the style of the
public graders' suites (math-verify's regression tests, the MATH `is_equiv` tests, Qwen2.5-Math's
grader, MARIO-style equivalence pairs, lighteval's multiple-choice and multilingual extraction
cases): plain numbers, fractions/decimals/percentages, LaTeX notation, expressions, intervals,
sets, tuples, equations, matrices, units, multiple-choice letters, multilingual answer phrases
and long model outputs, with many expected-False pairs.

    python benchmarks/math_cases.py            # one JSON line: accuracy / false positives
    python benchmarks/math_cases.py --speed    # also a second line with checks per second
    python benchmarks/math_cases.py --fails    # list the cases ours gets wrong (to stderr)

"ours" is `verifiers.math.math_equal(gold, pred)`; "mathverify" is math-verify's default
`verify(parse(gold), parse(pred))`. A false positive is a case expected False judged True.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.math_cases_notation import (  # noqa: E402
    EXPRESSIONS, FRACTIONS_PERCENT, LATEX, MATRICES, NUMBERS, RELATIONS, SETS,
)
from benchmarks.math_cases_outputs import (  # noqa: E402
    CHOICE, COMPETITION, EDGE, LONG, MULTILINGUAL, OUTPUTS, SHORT_PAIRS, _templated,
)


CASES: list[tuple[str, str, bool]] = (
    NUMBERS + FRACTIONS_PERCENT + LATEX + EXPRESSIONS + SETS + RELATIONS + MATRICES + CHOICE
    + MULTILINGUAL + LONG + SHORT_PAIRS + EDGE + COMPETITION + OUTPUTS + _templated()
)


def _mathverify(gold: str, pred: str) -> bool:
    from math_verify import parse, verify

    return bool(verify(parse(gold), parse(pred)))


def _ours(gold: str, pred: str) -> bool:
    from verifiers.math import math_equal

    return bool(math_equal(gold, pred))


def _score(fn) -> tuple[float, int, list[int]]:
    wrong = []
    fp = 0
    for i, (gold, pred, expected) in enumerate(CASES):
        got = fn(gold, pred)
        if got != expected:
            wrong.append(i)
            fp += got and not expected
    return 1 - len(wrong) / len(CASES), fp, wrong


def _rate(fn, rounds: int = 3) -> float:
    t0 = time.perf_counter()
    for _ in range(rounds):
        for gold, pred, _e in CASES:
            fn(gold, pred)
    return rounds * len(CASES) / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    logging.disable(logging.WARNING)  # math-verify logs every timeout
    ours_acc, ours_fp, ours_wrong = _score(_ours)
    mv_acc, mv_fp, _ = _score(_mathverify)
    out = {
        "n": len(CASES),
        "ours_accuracy": round(ours_acc, 4),
        "mathverify_accuracy": round(mv_acc, 4),
        "ours_false_positives": ours_fp,
        "mathverify_false_positives": mv_fp,
    }
    print(json.dumps(out))
    if "--fails" in argv:
        for i in ours_wrong:
            g, p, e = CASES[i]
            print(f"[{i}] expected={e} gold={g!r} pred={p[:160]!r}", file=sys.stderr)
    if "--speed" in argv:
        print(json.dumps({"ours_checks_per_s": round(_rate(_ours)), "mathverify_checks_per_s": round(_rate(_mathverify))}))
    return out


if __name__ == "__main__":
    main()
