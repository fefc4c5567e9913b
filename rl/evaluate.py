"""Held-out evaluation: greedy answers from the current policy, scored by the hybrid reward.

Accuracy of a task = mean reward of its held-out items (the verifiers give 0/1; the format gate
applies, so an answer without `<think>…</think>` counts as wrong). `mean_verifiable` averages the
tasks with a checkable answer (count, grounding, math, choice, and temporal when present).
"""
from __future__ import annotations

from collections import defaultdict

VERIFIABLE = ("count", "grounding", "math", "choice", "temporal")
HEADLINE = ("count", "grounding", "math", "choice")   # the tasks the goals are stated on


def accuracy_by_task(tasks: list[str], rewards: list[float]) -> dict[str, float]:
    by_task: dict[str, list[float]] = defaultdict(list)
    for task, r in zip(tasks, rewards):
        by_task[task].append(r)
    return {t: round(sum(v) / len(v), 4) for t, v in sorted(by_task.items())}


def mean_verifiable(accuracy: dict[str, float], tasks=HEADLINE) -> float | None:
    vals = [accuracy[t] for t in tasks if t in accuracy]
    return round(sum(vals) / len(vals), 4) if vals else None


def evaluate(generate, score, items: list, greedy) -> dict:
    """One greedy answer per item: `generate(items, n=1, sampling=greedy) -> Rollout` (a rollout
    group or worker), scored by `score(items, texts) -> [RewardResult]` (a RewardWorker).

    Returns {"accuracy": {task: acc}, "mean_verifiable": x, "format_rate": f, "n": N,
             "examples": [a few {id, response, reward}]}."""
    if not items:
        return {"accuracy": {}, "mean_verifiable": None, "format_rate": None, "n": 0, "examples": []}
    batch = generate(items, n=1, sampling=greedy)
    results = score(batch.sample_items(), batch.texts)
    acc = accuracy_by_task(batch.tasks, [r.reward for r in results])
    gated = [r.format_ok for r in results if r.format_ok is not None]
    return {"accuracy": acc, "mean_verifiable": mean_verifiable(acc),
            "format_rate": round(sum(gated) / len(gated), 4) if gated else None, "n": len(results),
            "examples": [{"id": i, "response": t[:300], "reward": r.reward}
                         for i, t, r in list(zip(batch.sample_ids, batch.texts, results))[:6]]}
