"""Throughput of the "math" verifier through HybridReward's worker pool vs math-verify called directly.

    python benchmarks/verifiers.py [--n 2000] [--repeats 5] [--workers 2] [--no-format]

Cases: a realistic RL mix of `<think>...</think>` responses with \\boxed{} answers (integers,
decimals, fractions, LaTeX expressions, tuples, ~10% wrong, ~5% with long thoughts and long
solutions). Ours: `HybridReward.score` on the whole batch (format gate included unless
--no-format), verifiers in the worker pool. Baseline: `verify(parse(f"${gold}$"), parse(solution))` (the gold in $...$, as
math-verify documents; a bare LaTeX gold does not parse) in
this process's main thread on the same cases, given the solution part (after </think>). Runs are
interleaved (ours, baseline, ours, ...) after a warm-up, each repeat on fresh cases (so no parse
cache carries over); figures are medians. p99_ms is the 99th
percentile of our per-check time (gate + verifier, as measured in the worker). The last line
printed is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

# run as a script, this file's folder would shadow the `verifiers` package; use the repo root instead
HERE, ROOT = Path(__file__).resolve().parent, Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from math_verify import parse, verify  # noqa: E402

from rewards.hybrid import HybridReward  # noqa: E402
from rl.schema import RewardsConfig, TaskRewardConfig  # noqa: E402

EXPRESSIONS = [  # gold and an equivalent way a model may write it, from random a, b
    lambda a, b: (rf"{a}\sqrt{{{b}}}", rf"{a}\sqrt{{{b}}}"),
    lambda a, b: (rf"\frac{{{a}\pi}}{{{b}}}", rf"\frac{{{a}}}{{{b}}}\pi"),
    lambda a, b: (rf"x^{{2}}+{a}x+{b}", rf"{b}+{a}x+x^2"),
    lambda a, b: (rf"\frac{{\sqrt{{{b}}}}}{{{a}}}", rf"\sqrt{{{b}}}/{a}"),
    lambda a, b: (f"({a}, {b})", f"({a},{b})"),
    lambda a, b: (rf"{a}\pi", rf"{a} \pi"),
    lambda a, b: (rf"\frac{{{a}+\sqrt{{{b}}}}}{{2}}", rf"\frac{{{a}+\sqrt{{{b}}}}}{{2}}"),
    lambda a, b: (rf"2^{{{a % 12}}}", str(2 ** (a % 12))),
    lambda a, b: (rf"[{a}, {a + b}]", rf"[{a},{a + b}]"),
]
FILLER = "First I restate the problem. Then I check each case carefully, computing step by step. "


def make_cases(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """(gold, full response) pairs."""
    rng, cases = random.Random(seed), []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.40:
            v = rng.randint(-50, 2000)
            gold, said = str(v), str(v)
        elif kind < 0.55:
            v = round(rng.uniform(0, 100), rng.choice([1, 2]))
            gold, said = str(v), str(v)
        elif kind < 0.75:
            a, b = rng.randint(1, 30), rng.randint(2, 31)
            gold = rf"\frac{{{a}}}{{{b}}}"
            said = rng.choice([gold, f"{a}/{b}", rf"\dfrac{{{a}}}{{{b}}}"])
        else:
            gold, said = rng.choice(EXPRESSIONS)(rng.randint(2, 40), rng.randint(2, 40))
        if rng.random() < 0.10:   # wrong
            said = said + "+1" if not said.lstrip("-").isdigit() else str(int(said) + 1)
        thought = FILLER * (rng.choice([60, 120]) if rng.random() < 0.05 else rng.randint(1, 4))
        lead = FILLER * 20 if rng.random() < 0.05 else "So the answer is "
        cases.append((gold, f"<think>{thought}</think>{lead}\\boxed{{{said}}}."))
    return cases


def run_ours(rewards: HybridReward, cases, no_format: bool) -> tuple[float, list[float], list[float]]:
    samples = [{"task": "math", "answer": gold} for gold, _ in cases]
    start = time.perf_counter()
    results = rewards.score(samples, [resp for _, resp in cases], no_format=no_format)
    took = time.perf_counter() - start
    return took, [r.elapsed_s for r in results], [r.reward for r in results]


def run_baseline(cases) -> tuple[float, list[float]]:
    scores, start = [], time.perf_counter()
    for gold, response in cases:
        solution = response.rpartition("</think>")[2]
        scores.append(float(verify(parse(f"${gold}$"), parse(solution))))   # math-verify's documented use
    return time.perf_counter() - start, scores


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--chunk-size", type=int, default=None)
    p.add_argument("--no-format", action="store_true", help="skip the <think> gate in our runs")
    args = p.parse_args()
    config = RewardsConfig(workers=args.workers, timeout_s=10.0,
                           tasks={"math": TaskRewardConfig(sources={"math": 1.0})})
    ours_s, base_s, latencies, agree = [], [], [], []
    with HybridReward(config, chunk_size=args.chunk_size) as rewards:
        warm = make_cases(200, seed=-1)
        run_ours(rewards, warm, args.no_format)   # workers started, sympy loaded
        run_baseline(warm)
        for i in range(args.repeats):
            cases = make_cases(args.n, seed=i)   # fresh cases: no verifier cache carries over
            took, lat, ours_scores = run_ours(rewards, cases, args.no_format)
            ours_s.append(took)
            latencies += lat
            took, base_scores = run_baseline(cases)
            base_s.append(took)
            agree.append(sum(a == b for a, b in zip(ours_scores, base_scores)) / args.n)
            print(f"repeat {i + 1}: ours {args.n / ours_s[-1]:,.0f} checks/s, "
                  f"math-verify {args.n / base_s[-1]:,.0f} checks/s, agreement {agree[-1]:.3f}", file=sys.stderr)
    ours, base = args.n / statistics.median(ours_s), args.n / statistics.median(base_s)
    latencies.sort()
    print(json.dumps({
        "ours_checks_per_s": round(ours, 1), "mathverify_checks_per_s": round(base, 1),
        "ratio": round(ours / base, 2), "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 3),
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 3), "format_gate": not args.no_format,
        "workers": args.workers, "n_cases": args.n, "repeats": args.repeats, "agreement": round(min(agree), 4),
        "mean_reward_ours": round(sum(ours_scores) / args.n, 4), "mean_reward_mathverify": round(sum(base_scores) / args.n, 4), "cpu_count": __import__("os").cpu_count(),
    }))


if __name__ == "__main__":
    main()
