"""Perception pre-training data: one-word answers to visual questions about fresh shapes-world images.

After the vision tower has learnt to see (sft/vision.py), the language model still has to learn to
read the image tokens. Questions whose answer is one word that only the image can give teach that
without sentence structure to learn first (captions and reasoning traces let a model lower its loss
for hundreds of steps without looking, docs/PERFORMANCE.md):

    How many red shapes are there?      -> 2
    What colour is the square?          -> blue
    What shape is the green object?     -> star
    Where is the red star?              -> top left
    Is there a blue circle?             -> no

Images come from a seed of their own (never the suite's train or held-out images); the prompt has no
`<think>` block, so the stage carries no task answers, traces or format. With `per_image` > 1 each
image gets that many different questions, asked one after another in one conversation (the
record's `turns`, sft/data.py): the image and prompt are computed once for all of its answers.
"""
from __future__ import annotations

import random
from pathlib import Path

from tasks.shapes import COLOURS, SHAPES, position_words
from tasks.suite import generate_suite, load_suite

KINDS = ("n", "ncol", "nshape", "colour_of", "shape_of", "where", "exists")
SEED_OFFSET = 104_729   # vqa images come from a seed of their own


def question(meta: dict, kind: str, rng: random.Random) -> tuple[str, str] | None:
    """(question, one-word answer) of `kind` about a scene, or None when the kind does not apply."""
    shapes = meta["shapes"]
    width, height = meta["image_size"]
    s = rng.choice(shapes)
    same = lambda key: sum(x[key] == s[key] for x in shapes)   # noqa: E731
    if kind == "n":
        return "How many shapes are there?", str(len(shapes))
    if kind == "ncol":
        c = rng.choice([x["colour"] for x in shapes] + list(COLOURS)[:2])
        return f"How many {c} shapes are there?", str(sum(x["colour"] == c for x in shapes))
    if kind == "nshape":
        return f"How many {s['shape']}s are there?", str(same("shape"))
    if kind == "colour_of" and same("shape") == 1:
        return f"What colour is the {s['shape']}?", s["colour"]
    if kind == "shape_of" and same("colour") == 1:
        return f"What shape is the {s['colour']} object?", s["shape"]
    if kind == "where" and sum(x["colour"] == s["colour"] and x["shape"] == s["shape"] for x in shapes) == 1:
        return f"Where is the {s['colour']} {s['shape']}?", position_words(s, width, height)
    if kind == "exists":
        if rng.random() < 0.5:
            return f"Is there a {s['colour']} {s['shape']}?", "yes"
        c, k = rng.choice(list(COLOURS)), rng.choice(SHAPES)
        if not any(x["colour"] == c and x["shape"] == k for x in shapes):
            return f"Is there a {c} {k}?", "no"
    return None


def sample(meta: dict, kinds, rng: random.Random) -> tuple[str, str, str]:
    """(kind, question, answer): a kind drawn from `kinds` until one applies to the scene."""
    for _ in range(100):
        kind = rng.choice(kinds)
        qa = question(meta, kind, rng)
        if qa:
            return kind, *qa
    return "n", *question(meta, "n", rng)


def ask(meta: dict, kinds, rng: random.Random, k: int = 1) -> list[tuple[str, str, str]]:
    """Up to k (kind, question, answer) about a scene, no question twice (fewer when the scene has
    fewer distinct questions to ask); the first is `sample`'s."""
    asked = [sample(meta, kinds, rng)]
    for _ in range(k * 4):
        if len(asked) == k:
            break
        kind, q, a = sample(meta, kinds, rng)
        if all(q != seen for _, seen, _ in asked):
            asked.append((kind, q, a))
    return asked


def vqa_pairs(out_dir, n: int, seed: int = 0, difficulty=None, image_size=112,
              kinds=KINDS, per_image: int = 1) -> list[tuple[dict, str]]:
    """n (record, answer) pairs, one fresh image each written under out_dir (reused when there),
    asked one question, or up to `per_image` different ones (`ask`: the first as the prompt, the
    rest as `turns`)."""
    if per_image < 1:
        raise ValueError(f"per_image must be >= 1, got {per_image}")
    out = Path(out_dir)
    generate_suite(out, tasks=["chat"], n_train=n, n_heldout=1, seed=seed + SEED_OFFSET,
                   difficulty=difficulty, image_size=image_size)
    rng = random.Random(seed + SEED_OFFSET)
    pairs = []
    for it in load_suite(out, "train"):
        (kind, prompt, answer), *more = ask(it.meta, kinds, rng, per_image)
        record = {"id": f"{it.id}#vqa", "task": "vqa", "kind": kind, "prompt": prompt,
                  "images": list(it.images), "image_root": str(out)}
        if per_image > 1:
            record["turns"] = [[q, a] for _, q, a in more]
        pairs.append((record, answer))
    return pairs
