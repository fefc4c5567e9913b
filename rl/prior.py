"""The answer-prior baseline: what a policy that ignores image and question would score.

For every task with a checkable answer, one constant answer learnt from the train split (the most
common answer; for boxes, the per-coordinate median box) is scored on the held-out items by the
recipe's own verifiers. A checkpoint at this line has learnt the answer distribution and nothing
else (count's "1", choice's commonest letter); eval.json keeps it as
`"prior": {"stage": "majority_answer", "answers": {task: answer}, "accuracy": {...}, "mean_verifiable": x}`.
"""
from __future__ import annotations

import statistics
from collections import Counter

from rewards.hybrid import MODEL_SOURCES, HybridReward
from rl.evaluate import accuracy_by_task, mean_verifiable
from rl.rewarding import sample_record
from tasks.io import answer_text

PRIOR_STAGE = "majority_answer"


def constant_answers(train_items: list) -> dict[str, str]:
    """Per task, the one answer (as written after </think>) that the train split suggests most."""
    by_task: dict[str, list] = {}
    for it in train_items:
        if it.answer is not None:
            by_task.setdefault(it.task, []).append(it)
    answers = {}
    for task, items in sorted(by_task.items()):
        if all(isinstance(it.answer, (list, tuple)) for it in items):
            width = len(items[0].answer)
            box = [round(statistics.median(it.answer[k] for it in items)) for k in range(width)]
            answers[task] = answer_text(task, box)
        else:
            counts = Counter(it.answer_text for it in items)
            answers[task] = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]   # ties: the first by text
    return answers


def prior_accuracy(rewards_cfg, train_items: list, heldout_items: list) -> dict:
    """Held-out accuracy of the constant answers, scored without the format gate by the verifiers
    of each task whose reward needs no model (a reward model scores no constant answer)."""
    tasks = {t: c for t, c in rewards_cfg.tasks.items()
             if c.sources and not any(s in MODEL_SOURCES for s in c.sources)}
    answers = {t: a for t, a in constant_answers(train_items).items() if t in tasks}
    items = [it for it in heldout_items if it.task in answers]
    result = {"stage": PRIOR_STAGE, "answers": answers, "accuracy": {}, "mean_verifiable": None,
              "n": len(items)}
    if not items:
        return result
    cfg = rewards_cfg.model_copy(update={"tasks": tasks})
    with HybridReward(cfg) as reward:
        scored = reward.score([sample_record(it) for it in items], [answers[it.task] for it in items],
                              no_format=True)
    result["accuracy"] = accuracy_by_task([it.task for it in items], [r.reward for r in scored])
    result["mean_verifiable"] = mean_verifiable(result["accuracy"])
    return result
