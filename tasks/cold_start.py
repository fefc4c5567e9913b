"""The cold-start SFT set, as in the report: scarce and imperfect ("low-quality LongCoT").

A fixed, small subset of the train split gets `<think>…</think>answer` traces; a share of them
is sloppy (the thought cut short or missing its key step) or wrong (a wrong final answer). A share
of the clean ones can come in a second, short style (`short_rate`): one sentence that states what
the image shows, and for choice the option's text as the answer instead of its letter, as traces
written by different hands differ in style. The rest of the train split is the RL prompt pool:
gold answers only, no traces.
"""
from __future__ import annotations

import random
import re

from tasks.io import answer_text

LETTERS = "ABCDEFGH"


def wrong_answer(item, rng: random.Random) -> str | None:
    """A plausible but wrong answer text for the item (None when the task has no gold answer)."""
    a, task = item.answer, item.task
    if a is None:
        return None
    if task == "grounding":
        dx = rng.choice([-1, 1]) * rng.randint(150, 300)
        box = [min(1000, max(1, v + dx)) for v in a]
        return answer_text(task, box)
    if task == "choice":
        n = len(item.meta.get("choices") or "ABCD")
        return rng.choice([c for c in LETTERS[:n] if c != a])
    if task in ("count", "temporal"):
        value = float(a)
        out = value + rng.choice([-1, 1]) if value >= 1 else value + 1
        return str(int(out)) if out == int(out) else str(out)
    if task == "math":
        if "/" in str(a):
            num, den = str(a).split("/", 1)
            return f"{int(num) + 1}/{den}"
        return str(int(float(a)) + rng.choice([-1, 1, 2]))
    return None


def sloppy_thought(cot: str, rng: random.Random) -> str:
    """The thought cut at a random point (a trace that skips its reasoning)."""
    words = cot.split()
    if len(words) <= 2:
        return cot
    return " ".join(words[: rng.randint(1, max(1, len(words) // 2))])


def short_trace(item) -> tuple[str, str] | None:
    """(thought, answer) in the short style, or None for a task without one:
    count: "There are 2 red shapes." -> 2; choice: "The circle is green." -> green (the option's text)."""
    if item.task == "count":
        query, m = item.meta.get("query") or {}, int(item.answer)
        colour, shape = query.get("colour"), query.get("shape")
        noun = shape or "shape"
        what = " ".join(w for w in (colour, noun if m == 1 else noun + "s") if w)
        return f"There {'is' if m == 1 else 'are'} {m} {what}.", str(m)
    if item.task == "choice" and item.meta.get("answer_option"):
        last = re.split(r"(?<=\.) ", item.cot or "")[-1]
        stated = re.fullmatch(r"(.+), option [A-Z]\.", last)
        if stated:
            return stated.group(1) + ".", item.meta["answer_option"]
    return None


def cold_start_pairs(items: list, n_per_task: int, wrong_rate: float = 0.2, sloppy_rate: float = 0.2,
                     seed: int = 0, short_rate: float = 0.0) -> tuple[list, list]:
    """(SFT pairs [(item, target)], the remaining items as the RL prompt pool).

    Per task, the first `n_per_task` items (in a seeded shuffle) get traces: a `wrong_rate` share
    with a wrong answer, a `sloppy_rate` share with a cut-short thought, the rest clean, and of the
    clean ones a `short_rate` share in the short style (`short_trace`) where the task has one."""
    rng = random.Random(seed)
    style = random.Random(seed + 1)   # its own stream: short_rate leaves the other draws as they were
    by_task: dict[str, list] = {}
    for it in items:
        by_task.setdefault(it.task, []).append(it)
    pairs, pool = [], []
    for task in sorted(by_task):
        group = list(by_task[task])
        rng.shuffle(group)
        for it in group[:n_per_task]:
            if not it.target:
                continue
            thought, answer = it.cot or "", it.answer_text
            roll = rng.random()
            if roll < wrong_rate and wrong_answer(it, rng) is not None:
                answer = wrong_answer(it, rng)
            elif roll < wrong_rate + sloppy_rate:
                thought = sloppy_thought(thought, rng)
            elif short_rate and style.random() < short_rate and (short := short_trace(it)):
                thought, answer = short
            pairs.append((it, f"<think>{thought}</think>{answer}"))
        pool.extend(group[n_per_task:])
    return pairs, pool
