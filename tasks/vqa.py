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

Images come from a seed of their own (never the suite's train or held-out images), so the stage
carries no task answers or traces. With `think` the answers come in the format the system line asks
for, after a one-sentence thought that states them ("<think>There are 2 red shapes.</think>2");
without it they are the bare word. With `per_image` > 1 each
image gets that many different questions, asked one after another in one conversation (the
record's `turns`, sft/data.py): the image and prompt are computed once for all of its answers.
"""
from __future__ import annotations

import random
from pathlib import Path

from tasks.shapes import COLOURS, SHAPES, position_words, with_article
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


def thought(kind: str, q: str, a: str) -> str:
    """The answer of a `question` as one sentence, for `<think>{thought}</think>{answer}` targets:
    "How many red shapes are there?" / "2" -> "There are 2 red shapes." (the count task's and the
    choice task's traces end in the same kind of sentence)."""
    words = q.rstrip("?").split()
    be = "is" if a == "1" else "are"
    if kind == "n":
        return f"There {be} {a} {'shape' if a == '1' else 'shapes'}."
    if kind == "ncol":
        return f"There {be} {a} {words[2]} {'shape' if a == '1' else 'shapes'}."
    if kind == "nshape":
        kind_word = words[2][:-1]
        return f"There {be} {a} {kind_word if a == '1' else kind_word + 's'}."
    if kind == "colour_of":
        return f"The {words[-1]} is {a}."
    if kind == "shape_of":
        return f"The {words[-2]} object is {with_article(a)}."
    if kind == "where":
        return f"The {' '.join(words[-2:])} is at the {a}."
    if kind == "exists":
        what = " ".join(words[-2:])
        return f"There is {with_article(what)}." if a == "yes" else f"There is no {what}."
    raise ValueError(f"unknown question kind {kind!r}")


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
              kinds=KINDS, per_image: int = 1, think: bool = False) -> list[tuple[dict, str]]:
    """n (record, answer) pairs, one fresh image each written under out_dir (reused when there),
    asked one question, or up to `per_image` different ones (`ask`: the first as the prompt, the
    rest as `turns`). `think`: each answer as `<think>{thought}</think>{answer}`, the format the
    prompt's system line asks for, instead of the bare word."""
    if per_image < 1:
        raise ValueError(f"per_image must be >= 1, got {per_image}")
    say = (lambda k, q, a: f"<think>{thought(k, q, a)}</think>{a}") if think else (lambda k, q, a: a)  # noqa: E731
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
            record["turns"] = [[q, say(k, q, a)] for k, q, a in more]
        pairs.append((record, say(kind, prompt, answer)))
    return pairs
