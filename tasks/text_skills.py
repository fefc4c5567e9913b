"""Language pre-training data: text-only questions that exercise what a pretrained LLM brings.

A real VLM's post-training starts from a pretrained LLM, which can already find a word in a list
of options and tally the items of a list. The built-in tiny model's LLM starts from random weights
and learns language only from the perception data and the scarce cold-start traces; there it never
learns either skill (docs/PERFORMANCE.md "Language pre-training": teacher-forced to
"The circle is green, option", the cold-start checkpoint names the right letter 4% of the time, the
equal-time SFT control 21%, chance 25%). This stage teaches the two on text alone, with no image and
nothing about any scene, in the think format the system line asks for:

    Which option is green? (A) red (B) green (C) star      -> <think>It is green, option B.</think>B
    I see a red star, a blue circle and a red square.
    How many red shapes are there?                          -> <think>... 2 of them are red.</think>2

Each record asks `per_item` questions in one conversation (the record's `turns`, sft/data.py).
"""
from __future__ import annotations

import random

from tasks.generate import LETTERS, _are
from tasks.shapes import COLOURS, SHAPES, join_and, with_article

KINDS = ("lookup", "tally")
OTHER_WORDS = ("box", "frame", "picture", "corner", "middle", "number", "answer", "value", "image", "scene",
               "left", "right", "top", "bottom", "first", "last", "big", "small", "one", "two", "three")
SEED_OFFSET = 7_919   # a seed of its own: never the suite's or the vqa stage's


def _phrases(rng: random.Random, k: int) -> list[str]:
    """k distinct options of one kind: colours, shapes, "colour shape" phrases or other words."""
    kind = rng.choice(("colour", "shape", "phrase", "word"))
    if kind == "colour":
        pool = list(COLOURS)
    elif kind == "shape":
        pool = list(SHAPES) + [s + "s" for s in SHAPES]
    elif kind == "phrase":
        pool = [f"{c} {s}" for c in COLOURS for s in SHAPES]
    else:
        pool = list(OTHER_WORDS) + list(COLOURS) + list(SHAPES)
    return rng.sample(pool, min(k, len(pool)))


def lookup(rng: random.Random) -> tuple[str, str]:
    """(question, target): which letter an option has."""
    options = _phrases(rng, rng.choice((3, 4, 4, 4, 5)))
    i = rng.randrange(len(options))
    x, letter = options[i], LETTERS[i]
    listed = " ".join(f"({LETTERS[j]}) {o}" for j, o in enumerate(options))
    ask = rng.choice((f"Which option is {x}?", f"Find {x}.", f"Which letter has {x}?"))
    say = rng.choice((f"It is {x}", f"The answer is {x}", f"{x[0].upper()}{x[1:]} is there"))
    return f"{ask} {listed}", f"<think>{say}, option {letter}.</think>{letter}"


def tally(rng: random.Random) -> tuple[str, str]:
    """(question, target): how many items of a listed scene have a colour, a shape or both. The
    count is drawn first (0 up to the list's length), so that large counts come up as often as small."""
    colours, shapes = list(COLOURS), list(SHAPES)
    n = rng.randint(1, 5)
    m = rng.randint(0, n)
    c, s, by = rng.choice(colours), rng.choice(shapes), rng.choice(("colour", "shape", "both"))
    hit = {"colour": lambda x: x[0] == c, "shape": lambda x: x[1] == s, "both": lambda x: x == (c, s)}[by]
    every = [(x, y) for x in colours for y in shapes]
    items = [rng.choice([p for p in every if hit(p)]) for _ in range(m)]
    items += [rng.choice([p for p in every if not hit(p)]) for _ in range(n - m)]
    rng.shuffle(items)
    listed = join_and([with_article(f"{x} {y}") for x, y in items])
    plural = {"colour": f"{c} shapes", "shape": f"{s}s", "both": f"{c} {s}s"}[by]
    single = {"colour": c, "shape": with_article(s), "both": with_article(f"{c} {s}")}[by]
    what = single if m == 1 or by == "colour" else plural
    question = f"I see {listed}. How many {plural} are there?"
    return question, f"<think>I see {listed}. {_are(m, what)}.</think>{m}"   # the count traces' wording


ASK = {"lookup": lookup, "tally": tally}


def text_pairs(n: int, seed: int = 0, kinds=KINDS, per_item: int = 4) -> list[tuple[dict, str]]:
    """n (record, target) pairs, text only: each record asks `per_item` questions, the first as its
    prompt and the rest as `turns`, each of a kind drawn from `kinds`."""
    if per_item < 1:
        raise ValueError(f"per_item must be >= 1, got {per_item}")
    unknown = [k for k in kinds if k not in ASK]
    if unknown or not kinds:
        raise ValueError(f"text skill kinds must be a non-empty subset of {KINDS}, got {list(kinds)}")
    rng = random.Random(seed + SEED_OFFSET)
    pairs = []
    for i in range(n):
        (prompt, target), *more = [ASK[rng.choice(kinds)](rng) for _ in range(per_item)]
        record = {"id": f"text-{i:06d}", "task": "text", "prompt": prompt, "images": []}
        if more:
            record["turns"] = [[q, t] for q, t in more]
        pairs.append((record, target))
    return pairs
