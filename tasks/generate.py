"""Per-task item generators of the shapes world and the Difficulty knobs.

Every generator is ``gen(rng, difficulty, width, height) -> Draft``: the record's fields (prompt,
answer, cot, shapes, task metadata), the text of the answer for the SFT target, the frames to
render, and a content key (used to keep the train and held-out splits disjoint).
Answers are computed from the sampled scene (counts, boxes) or with fractions.Fraction (math).
"""
from __future__ import annotations

import json
import math
import random
from dataclasses import asdict, dataclass, fields
from fractions import Fraction

from .shapes import (COLOURS, SHAPES, box_text, box_to_norm1000, centre, describe_list, join_and,
                     left_to_right, make_shapes, name, place_boxes, position_words, sample_combos,
                     with_article)

MATH_KINDS = ("add", "sub", "mul", "mixed", "linear", "fraction")
LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class Difficulty:
    """Curriculum knobs. Shape counts are per image (temporal: per frame, the event shape included)."""
    min_shapes: int = 1
    max_shapes: int = 5
    distractors: int = 0           # shapes sharing exactly one attribute (colour or shape) with the asked-about one
    colours: tuple = tuple(COLOURS)  # palette the scenes draw from (fewer = easier)
    shapes: tuple = SHAPES
    min_size: float = 0.14         # shape side, as a fraction of the shorter image side
    max_size: float = 0.28
    math_max: int = 10             # operands are drawn from 1..math_max
    math_kinds: tuple = MATH_KINDS
    min_frames: int = 4
    max_frames: int = 8
    fps: float = 1.0

    def __post_init__(self):
        for f in ("colours", "shapes", "math_kinds"):
            object.__setattr__(self, f, tuple(getattr(self, f)))
        if not 1 <= self.min_shapes <= self.max_shapes:
            raise ValueError(f"need 1 <= min_shapes <= max_shapes, got {self.min_shapes}, {self.max_shapes}")
        if not 2 <= self.min_frames <= self.max_frames:
            raise ValueError(f"need 2 <= min_frames <= max_frames, got {self.min_frames}, {self.max_frames}")
        bad = [c for c in self.colours if c not in COLOURS] + [s for s in self.shapes if s not in SHAPES]
        bad += [k for k in self.math_kinds if k not in MATH_KINDS]
        if bad or not self.colours or not self.shapes or not self.math_kinds:
            raise ValueError(f"unknown or empty colours/shapes/math_kinds: {bad}")
        if not 0 < self.min_size <= self.max_size < 1 or self.math_max < 1 or self.fps <= 0 or self.distractors < 0:
            raise ValueError("need 0 < min_size <= max_size < 1, math_max >= 1, fps > 0, distractors >= 0")

    @classmethod
    def from_dict(cls, d: dict) -> "Difficulty":
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown Difficulty fields: {sorted(unknown)}")
        return cls(**d)

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass
class Draft:
    fields: dict                    # prompt, answer, cot, shapes, task metadata
    answer_text: str                # what follows </think> in the SFT target
    frames: list                    # frame specs for shapes.render: {"shapes": [...]} or {"text": [...]}
    key: str = ""                   # content key; default: task + prompt + frames


def _scene(rng, d, W, H, combos):
    boxes = place_boxes(rng, len(combos), W, H, d.min_size, d.max_size)
    return left_to_right(make_shapes(combos, boxes))


def _are(m: int, what: str) -> str:
    return f"{m} of them {'is' if m == 1 else 'are'} {what}"


def _plural(shape: str, m: int = 2) -> str:
    return shape if m == 1 else shape + "s"


# ---------------------------------------------------------------- count

def gen_count(rng: random.Random, d: Difficulty, W: int, H: int) -> Draft:
    n = rng.randint(d.min_shapes, d.max_shapes)
    every = [(c, s) for c in d.colours for s in d.shapes]
    if d.distractors > 0:
        q = (rng.choice(d.colours), rng.choice(d.shapes))
        k = min(d.distractors, n - 1)
        m = rng.randint(1, n - k)
        near = [p for p in every if (p[0] == q[0]) != (p[1] == q[1])] or [q]
        others = [p for p in every if p != q] or [q]
        combos = [q] * m + [rng.choice(near) for _ in range(k)] + [rng.choice(others) for _ in range(n - m - k)]
        kind = "colour_shape"
    else:
        combos = [rng.choice(every) for _ in range(n)]
        kind = rng.choice(("all", "colour", "shape", "colour_shape"))
        present = rng.random() < 0.8
        q = (rng.choice([c for c, _ in combos] if present else d.colours),
             rng.choice([s for _, s in combos] if present else d.shapes))
    shapes = _scene(rng, d, W, H, combos)
    colour = q[0] if kind in ("colour", "colour_shape") else None
    shape = q[1] if kind in ("shape", "colour_shape") else None
    m = sum((colour is None or s["colour"] == colour) and (shape is None or s["shape"] == shape) for s in shapes)
    if kind == "all":
        prompt, tail = "How many shapes are there?", f"There {'is' if n == 1 else 'are'} {n} {_plural('shape', n)}."
    elif kind == "colour":
        prompt, tail = f"How many {colour} shapes are there?", _are(m, colour) + "."
    elif kind == "shape":
        prompt, tail = f"How many {shape}s are there?", _are(m, with_article(shape) if m == 1 else shape + "s") + "."
    else:
        what = with_article(f"{colour} {shape}") if m == 1 else f"{colour} {shape}s"
        prompt, tail = f"How many {colour} {shape}s are there?", _are(m, what) + "."
    cot = f"I see {describe_list(shapes)}. {tail}"
    return Draft({"prompt": prompt, "answer": str(m), "cot": cot, "shapes": shapes,
                  "query": {"colour": colour, "shape": shape}}, str(m), [{"shapes": shapes}])


# ---------------------------------------------------------------- grounding

def gen_grounding(rng: random.Random, d: Difficulty, W: int, H: int) -> Draft:
    n = rng.randint(d.min_shapes, d.max_shapes)
    q = (rng.choice(d.colours), rng.choice(d.shapes))
    combos = sample_combos(rng, n, d.colours, d.shapes, q, d.distractors, allowed=lambda p: p != q)
    shapes = _scene(rng, d, W, H, combos)
    target = next(s for s in shapes if (s["colour"], s["shape"]) == q)
    box = box_to_norm1000(target["box_px"], W, H)
    what = f"{q[0]} {q[1]}"
    cot = f"The {what} is at the {position_words(target, W, H)}."
    return Draft({"prompt": f"Give the bounding box of the {what}.", "answer": box, "cot": cot, "shapes": shapes,
                  "query": {"colour": q[0], "shape": q[1]}, "coord_space": "norm1000"},
                 box_text(box), [{"shapes": shapes}])


# ---------------------------------------------------------------- math

def frac_text(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def gen_math(rng: random.Random, d: Difficulty, W: int, H: int) -> Draft:
    kind, N = rng.choice(d.math_kinds), d.math_max
    r = lambda lo=1, hi=N: rng.randint(lo, max(lo, hi))  # noqa: E731
    if kind in ("add", "sub", "mul"):
        a, b = r(), r()
        if kind == "sub" and a < b:
            a, b = b, a
        op = {"add": "+", "sub": "-", "mul": "*"}[kind]
        ans = {"add": a + b, "sub": a - b, "mul": a * b}[kind]
        expr = f"{a} {op} {b}"
        lines, cot = [expr + " = ?"], f"{expr} = {ans}"
    elif kind == "mixed":
        a, b, c = r(), r(), r()
        form = rng.randrange(3)
        if form == 0:
            expr, ans, cot = f"{a} + {b} * {c}", a + b * c, f"{a} + {b} * {c} = {a} + {b * c} = {a + b * c}"
        elif form == 1:
            expr, ans, cot = f"{a} * {b} + {c}", a * b + c, f"{a} * {b} + {c} = {a * b} + {c} = {a * b + c}"
        else:
            expr, ans, cot = f"({a} + {b}) * {c}", (a + b) * c, f"({a} + {b}) * {c} = {a + b} * {c} = {(a + b) * c}"
        lines = [expr + " = ?"]
    elif kind == "linear":
        a, x, b = r(2, min(9, N)), r(0), r()
        c = a * x + b
        expr = f"{a}x + {b} = {c}"
        lines, ans = [expr, "x = ?"], x
        cot = f"{a}x = {c} - {b} = {c - b}, so x = {c - b} / {a} = {x}"
    else:  # fraction
        hi = max(2, min(9, N))
        q, s = r(2, hi), r(2, hi)
        p, t = r(1, q - 1), r(1, s - 1)
        x, y = Fraction(p, q), Fraction(t, s)
        op = rng.choice("+-")
        if op == "-" and x < y:
            (p, q), (t, s), (x, y) = (t, s), (p, q), (y, x)
        ans = x + y if op == "+" else x - y
        expr = f"{p}/{q} {op} {t}/{s}"
        lines = [expr + " = ?"]
        den = q * s // math.gcd(q, s)
        num = p * den // q + (t * den // s if op == "+" else -(t * den // s))
        steps = [expr] if q == s else [expr, f"{p * den // q}/{den} {op} {t * den // s}/{den}"]
        steps.append(f"{num}/{den}")
        if frac_text(Fraction(num, den)) != steps[-1]:
            steps.append(frac_text(Fraction(num, den)))
        cot = " = ".join(steps)
    ans_text = frac_text(Fraction(ans))
    return Draft({"prompt": "Solve the problem in the image.", "answer": ans_text, "cot": cot, "shapes": [],
                  "math_kind": kind, "expression": expr, "text_lines": lines},
                 ans_text, [{"text": lines}], key=f"math|{expr}")


# ---------------------------------------------------------------- choice

def _options(rng, correct: str, pool: list[str], preferred: list[str], k: int = 4):
    others = list(dict.fromkeys(p for p in preferred if p != correct))
    rng.shuffle(others)
    rest = [p for p in pool if p != correct and p not in others]
    rng.shuffle(rest)
    opts = [correct] + (others + rest)[: k - 1]
    rng.shuffle(opts)
    return opts, opts.index(correct)


def gen_choice(rng: random.Random, d: Difficulty, W: int, H: int) -> Draft:
    n = rng.randint(d.min_shapes, d.max_shapes)
    kind = rng.choice(("colour_of", "shape_of", "extreme") if n >= 2 else ("colour_of", "shape_of"))
    if kind == "extreme":
        every = [(c, s) for c in d.colours for s in d.shapes]
        direction = rng.choice(("left", "right", "top", "bottom"))
        axis = 0 if direction in ("left", "right") else 1
        sign = 1 if direction in ("left", "top") else -1
        for _ in range(20):
            combos = rng.sample(every, min(n, len(every)))
            shapes = _scene(rng, d, W, H, combos)
            order = sorted(shapes, key=lambda s: sign * centre(s)[axis])
            if len(order) >= 2 and abs(centre(order[0])[axis] - centre(order[1])[axis]) >= 0.1 * (W, H)[axis]:
                break
        else:
            kind = "colour_of"
    if kind == "extreme":
        q = {"left": "Which shape is the leftmost?", "right": "Which shape is the rightmost?",
             "top": "Which shape is the highest?", "bottom": "Which shape is the lowest?"}[direction]
        best = name(order[0])
        pool = [f"{c} {s}" for c in COLOURS for s in SHAPES]
        opts, idx = _options(rng, best, pool, [name(s) for s in shapes])
        seq = order if sign == 1 else order[::-1]
        axis_words = "From left to right" if axis == 0 else "From top to bottom"
        word = {"left": "leftmost", "right": "rightmost", "top": "highest", "bottom": "lowest"}[direction]
        cot = (f"{axis_words}: {join_and(['the ' + name(s) for s in seq])}. "
               f"The {word} is the {best}, option {LETTERS[idx]}.")
    else:
        c0, s0 = rng.choice(d.colours), rng.choice(d.shapes)
        if kind == "colour_of":
            allowed = lambda p: p[1] != s0  # noqa: E731  the asked-about shape kind is unique
        else:
            allowed = lambda p: p[0] != c0  # noqa: E731  the asked-about colour is unique
        combos = sample_combos(rng, n, d.colours, d.shapes, (c0, s0), d.distractors, allowed=allowed)
        shapes = _scene(rng, d, W, H, combos)
        if kind == "colour_of":
            q = f"What colour is the {s0}?"
            opts, idx = _options(rng, c0, list(COLOURS), [s["colour"] for s in shapes])
            cot = f"The {s0} is {c0}, option {LETTERS[idx]}."
        else:
            q = f"What shape is the {c0} object?"
            opts, idx = _options(rng, s0, list(SHAPES), [s["shape"] for s in shapes])
            cot = f"The {c0} object is {with_article(s0)}, option {LETTERS[idx]}."
    prompt = q + " " + " ".join(f"({LETTERS[i]}) {o}" for i, o in enumerate(opts))
    return Draft({"prompt": prompt, "answer": LETTERS[idx], "cot": cot, "shapes": shapes, "choice_kind": kind,
                  "choices": opts, "answer_option": opts[idx]}, LETTERS[idx], [{"shapes": shapes}])


# ---------------------------------------------------------------- chat

CHAT_PROMPTS = ("Describe the image.", "What do you see in the image?", "Describe what is in this picture.")


def gen_chat(rng: random.Random, d: Difficulty, W: int, H: int) -> Draft:
    n = rng.randint(d.min_shapes, d.max_shapes)
    shapes = _scene(rng, d, W, H, [(rng.choice(d.colours), rng.choice(d.shapes)) for _ in range(n)])
    parts = [f"{with_article(name(s))} at the {position_words(s, W, H)}" for s in shapes]
    head = "There is 1 shape" if n == 1 else f"There are {n} shapes"
    reference = f"{head}: {join_and(parts)}."
    cot = f"I see {describe_list(shapes)}, {n} {_plural('shape', n)} in all."
    return Draft({"prompt": rng.choice(CHAT_PROMPTS), "answer": None, "cot": cot, "shapes": shapes,
                  "reference": reference}, reference, [{"shapes": shapes}])


# ---------------------------------------------------------------- temporal

def seconds_text(t: float) -> str:
    """3.0 -> "3", 1.5 -> "1.5" (the answer format of temporal items)."""
    return f"{t:.3f}".rstrip("0").rstrip(".")


def gen_temporal(rng: random.Random, d: Difficulty, W: int, H: int) -> Draft:
    n = rng.randint(d.min_shapes, d.max_shapes)
    F = rng.randint(d.min_frames, d.max_frames)
    k = rng.randint(1, F - 1)  # the frame where the event is first visible
    kind = rng.choice(("appear", "disappear", "move"))
    q = (rng.choice(d.colours), rng.choice(d.shapes))
    combos = sample_combos(rng, n, d.colours, d.shapes, q, d.distractors, allowed=lambda p: p != q)
    boxes = place_boxes(rng, len(combos) + (kind == "move"), W, H, d.min_size, d.max_size)
    moved = None
    if kind == "move":  # the target's second position is one more box, cut to the same side
        a, b = boxes[0], boxes.pop()
        side = min(a[2] - a[0], b[2] - b[0])
        boxes[0] = [a[0], a[1], a[0] + side, a[1] + side]
        moved = {"shape": q[1], "colour": q[0], "box_px": [b[0], b[1], b[0] + side, b[1] + side]}
    shapes = make_shapes(combos, boxes)
    target, static = shapes[0], left_to_right(shapes[1:])
    frame_shapes = []
    for j in range(F):
        if kind == "appear":
            here = [target] if j >= k else []
        elif kind == "disappear":
            here = [target] if j < k else []
        else:
            here = [target if j < k else moved]
        frame_shapes.append(left_to_right(static + here))
    ts = [f"[{j / d.fps:.1f} second]" for j in range(F)]
    what = f"{q[0]} {q[1]}"
    verb = {"appear": "appear", "disappear": "disappear", "move": "move"}[kind]
    if kind == "appear":
        cot = f"The {what} is missing at {ts[k - 1]} and first seen at {ts[k]}."
    elif kind == "disappear":
        cot = f"The {what} is last seen at {ts[k - 1]} and gone at {ts[k]}."
    else:
        cot = f"The {what} is still at {ts[k - 1]} and has moved at {ts[k]}."
    ans = seconds_text(k / d.fps)
    return Draft({"prompt": f"At which second does the {what} {verb}?", "answer": ans, "cot": cot,
                  "shapes": left_to_right(shapes), "query": {"colour": q[0], "shape": q[1]},
                  "event": {"kind": kind, "frame": k, "time": k / d.fps}, "fps": d.fps, "timestamps": ts,
                  "frame_shapes": frame_shapes},
                 ans, [{"shapes": fs} for fs in frame_shapes])


GENERATORS = {"count": gen_count, "grounding": gen_grounding, "math": gen_math, "choice": gen_choice,
              "chat": gen_chat, "temporal": gen_temporal}
TASKS = tuple(GENERATORS)


def draft_key(task: str, draft: Draft) -> str:
    return draft.key or json.dumps([task, draft.fields["prompt"], draft.frames], sort_keys=True)
