"""Preference pairs for the shapes world's `chat` task: a right description vs a wrong one.

A pair is one JSONL line `{"id", "task", "prompt", "images", "chosen", "rejected", "meta"}` (images
relative to the suite's folder). The chosen description names the item's shapes, colours,
positions and count (from its `shapes` metadata); the rejected one, in the same wording, makes one
mistake: a wrong count, a swapped colour, a wrong shape, a hallucinated extra shape or an omitted
one. Both look like the policy's solutions (the text after `</think>`). Train pairs come from the
suite's train items and held-out pairs from its held-out items, so no image is in both. The same
items and seed give the same pairs.

With `off_task_rate` a share of the pairs instead rejects an answer that is no description at all:
another task's short answer ("1", "B", "yes", a box, one word) or a description cut off after a few
words. Without them the RM never sees such text and may score it high; RL then found that a
policy answering "1" to every prompt scored 0.95 on `chat` and spread that answer to every task
(docs/PERFORMANCE.md, full19).
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from tasks import COLOURS, SHAPES, box_text, stable_seed, write_jsonl
from tasks.io import _read_numbered
from tasks.shapes import join_and, position_words, with_article

MISTAKES = ("wrong_count", "swap_colour", "wrong_shape", "extra_shape", "omit_shape")
OFF_TASK = "off_task"     # the rejected answer is not a description (see the module docstring)
POSITIONS = ("top left", "top centre", "top right", "middle left", "centre", "middle right",
             "bottom left", "bottom centre", "bottom right")
PAIR_FIELDS = ("id", "prompt", "images", "chosen", "rejected")


def entries(item) -> list[tuple[str, str, str]]:
    """(colour, shape, position words) of each shape of a chat item, left to right."""
    meta = item.meta if hasattr(item, "meta") else item
    width, height = meta["image_size"]
    return [(s["colour"], s["shape"], position_words(s, width, height)) for s in meta["shapes"]]


def describe(parts: list[tuple[str, str, str]], count: int, style: int = 0) -> str:
    """A description in one of three wordings; `count` is the number it states."""
    listed = join_and([f"{with_article(f'{c} {s}')} at the {p}" for c, s, p in parts])
    noun = "shape" if count == 1 else "shapes"
    if style == 0:
        return f"There {'is' if count == 1 else 'are'} {count} {noun}: {listed}."
    if style == 1:
        return f"I see {count} {noun}: {listed}."
    return f"The image shows {listed}, {count} {noun} in all."


def corrupt(parts: list, mistake: str, rng: random.Random) -> tuple[list, int]:
    """(described parts, stated count) with one mistake of the given kind."""
    parts, n = list(parts), len(parts)
    if mistake == "omit_shape" and n < 2:
        mistake = "extra_shape"
    if mistake == "wrong_count":
        return parts, rng.choice([c for c in (n - 1, n + 1, n + 2) if c >= 1])
    if mistake == "extra_shape":
        new = (rng.choice(list(COLOURS)), rng.choice(SHAPES), rng.choice(POSITIONS))
        parts.insert(rng.randint(0, n), new)
        return parts, n + 1
    i = rng.randrange(n)
    if mistake == "omit_shape":
        del parts[i]
        return parts, n - 1
    colour, shape, where = parts[i]
    if mistake == "swap_colour":
        parts[i] = (rng.choice([c for c in COLOURS if c != colour]), shape, where)
    elif mistake == "wrong_shape":
        parts[i] = (colour, rng.choice([s for s in SHAPES if s != shape]), where)
    else:
        raise ValueError(f"unknown mistake {mistake!r}; known: {', '.join(MISTAKES)}")
    return parts, n


def off_task_answer(chosen: str, rng: random.Random) -> str:
    """A solution that does not describe the image: another task's kind of answer, or `chosen`
    cut off after one to four words."""
    kind = rng.randrange(7)
    if kind == 0:
        return str(rng.randint(0, 9))
    if kind == 1:
        return rng.choice("ABCD")
    if kind == 2:
        return rng.choice(("yes", "no"))
    if kind == 3:
        x, y = rng.randint(0, 700), rng.randint(0, 700)
        return box_text([x, y, x + rng.randint(50, 300), y + rng.randint(50, 300)])
    if kind == 4:
        return rng.choice(list(COLOURS) + list(SHAPES))
    if kind == 5:
        return str(rng.randint(10, 99))
    return " ".join(chosen.split()[: rng.randint(1, 4)])


def make_pair(item, k: int, seed: int = 0, off_task_rate: float = 0.0) -> dict:
    """The k-th pair of an item: mistake kinds cycle with k, wording and details from the seed; an
    `off_task_rate` share rejects an off-task answer instead (drawn from a stream of its own, so
    the other pairs are the same whatever the rate)."""
    rng = random.Random(stable_seed("preference", seed, item.id, k))
    mistake = MISTAKES[(k + stable_seed(item.id)) % len(MISTAKES)]
    style = rng.randrange(3)
    truth = entries(item)
    wrong, count = corrupt(truth, mistake, rng)
    chosen, rejected = describe(truth, len(truth), style), describe(wrong, count, style)
    side = random.Random(stable_seed("off_task", seed, item.id, k))
    if side.random() < off_task_rate:
        mistake, rejected = OFF_TASK, off_task_answer(chosen, side)
    return {"id": f"{item.id}#{k}", "task": item.task, "prompt": item.prompt, "images": list(item.images),
            "chosen": chosen, "rejected": rejected, "meta": {"mistake": mistake, "style": style}}


def preference_pairs(items: list, n_pairs: int, seed: int = 0, off_task_rate: float = 0.0) -> list[dict]:
    """n_pairs pairs from the `chat` items (several per item when there are fewer items than pairs)."""
    if not 0.0 <= off_task_rate <= 1.0:
        raise ValueError(f"off_task_rate must lie in [0, 1], got {off_task_rate}")
    chat = [it for it in items if it.task == "chat"]
    if not chat:
        raise ValueError("no `chat` items to make preference pairs from (add `chat` to tasks.names)")
    return [make_pair(chat[i % len(chat)], i // len(chat), seed, off_task_rate) for i in range(n_pairs)]


def write_pairs(path, pairs: list[dict]) -> Path:
    return write_jsonl(path, pairs)


def read_pairs(path) -> list[dict]:
    """Pairs from JSONL; a line missing a field is an error naming file:line."""
    pairs = []
    for n, record in _read_numbered(Path(path)):
        missing = [k for k in PAIR_FIELDS if k not in record]
        if missing:
            raise ValueError(f"{path}:{n}: preference pair misses {', '.join(repr(k) for k in missing)}")
        pairs.append(record)
    return pairs


STATED = re.compile(r"\b(\d+) shapes?\b")
NAMED = re.compile(rf"\b(?:a|an) ({'|'.join(COLOURS)}) ({'|'.join(SHAPES)})\b")


def read_description(text: str) -> tuple[int | None, list[tuple[str, str]]]:
    """(stated count, sorted (colour, shape) names) of a description written by `describe`."""
    stated = STATED.search(text)
    return (int(stated.group(1)) if stated else None), sorted(NAMED.findall(text))
