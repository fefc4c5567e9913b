"""Grounding verifier ("grounding"): boxes and points scored by IoU against the gold.

Forms read from the response (inside the last `<answer>...</answer>` if there is one), in tiers;
the first tier that yields anything is used, so one box is never read twice:
  1. JSON-ish keys: `"bbox_2d": [x1, y1, x2, y2]`, `"point_2d": [x, y]` (fences, lists of objects,
     single quotes and broken JSON are fine: only the key and its bracket are read);
  2. tags: `<box>(x1,y1),(x2,y2)</box>`, `<box>x1 y1 x2 y2</box>`, `<point>x y</point>`,
     `<|box_start|>(x1,y1),(x2,y2)<|box_end|>` (an `<|object_ref_start|>` label is ignored);
  3. bare: `[x1,y1,x2,y2]`, `[x,y]`, `(x1,y1),(x2,y2)`, `(x,y)`.
Four numbers are a box, two a point. A shape with NaN/inf, a coordinate outside [0, 1000] (or outside
the image when `sample["coord_space"] == "pixel"`, `sample["image_size"] == [w, h]`), x1 >= x2 or
y1 >= y2, or another count of numbers makes the whole answer score 0; nothing is swapped or clamped.

Pair scores: box/box IoU; point/box 1 if the point lies in the box (either side may be the point);
point/point 1 if within `sample["point_radius"]` (default 5% of the larger side of the space).
Predictions (exact duplicates dropped, at most MAX_SHAPES) are matched one-to-one to the gold
shapes by an exact assignment. "threshold" mode (default, tau = `sample["iou_threshold"]`, 0.5):
score = F1 = 2 * hits / (n_pred + n_gold); "iou" mode: sum of matched scores / max(n_pred, n_gold),
so missing and extra shapes count as 0. With one gold and one prediction these are 1[IoU >= tau]
and the IoU.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Mapping, Sequence

from verifiers import Verdict, verifier

MAX_SHAPES = 100
NORM_MAX = 1000.0
NUM = r"[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)"
NUM_TOKEN = re.compile(rf"(?<![\w.]){NUM}(?![\w.])", re.IGNORECASE)
KEY_RE = re.compile(r"""["']?\b(bbox_2d|point_2d)\b["']?\s*[:=]\s*\[([^\[\]]{0,300})\]""")
TAG_RE = re.compile(r"<(box|point)>(.{0,300}?)</\1>|<\|box_start\|>(.{0,300}?)<\|box_end\|>", re.DOTALL)
PAIR = rf"\(\s*({NUM})\s*,\s*({NUM})\s*\)"
BARE_RE = re.compile(rf"{PAIR}\s*(?:,|-|to)?\s*{PAIR}|{PAIR}|\[([^\[\]]{{0,300}})\]", re.IGNORECASE)


def to_float(token: str) -> float:
    try:
        return float(token)
    except ValueError:
        return math.nan


def numbers_in(text: str) -> tuple[float, ...]:
    return tuple(to_float(m.group()) for m in NUM_TOKEN.finditer(text))


def is_numeric_list(text: str) -> bool:
    """True when `text` (a bracket's inside) is only numbers separated by commas/whitespace."""
    parts = [p for p in re.split(r"[\s,]+", text.strip()) if p]
    return len(parts) >= 2 and all(re.fullmatch(NUM, p, re.IGNORECASE) for p in parts)


def answer_span(text: str) -> str:
    start = text.rfind("<answer>")
    if start < 0:
        return text
    end = text.find("</answer>", start)
    return text[start + len("<answer>") : end if end >= 0 else len(text)]


def parse_shapes(text: str) -> list[tuple[float, ...]]:
    """Every box/point-like tuple in `text` (first tier that has any), at most MAX_SHAPES."""
    for tier in (key_shapes, tag_shapes, bare_shapes):
        shapes = tier(text)
        if shapes:
            return shapes[:MAX_SHAPES]
    return []


def key_shapes(text: str) -> list[tuple[float, ...]]:
    out = []
    for m in KEY_RE.finditer(text):
        out.append(numbers_in(m.group(2)))
        if len(out) >= MAX_SHAPES:
            break
    return out


def tag_shapes(text: str) -> list[tuple[float, ...]]:
    out = []
    for m in TAG_RE.finditer(text):
        out.append(numbers_in(m.group(2) if m.group(1) else m.group(3)))
        if len(out) >= MAX_SHAPES:
            break
    return out


def bare_shapes(text: str) -> list[tuple[float, ...]]:
    out = []
    for m in BARE_RE.finditer(text):
        g = m.groups()
        if g[0] is not None:
            out.append(tuple(to_float(x) for x in g[0:4]))
        elif g[4] is not None:
            out.append((to_float(g[4]), to_float(g[5])))
        elif is_numeric_list(g[6]):
            out.append(numbers_in(g[6]))
        if len(out) >= MAX_SHAPES:
            break
    return out


def shape_problem(shape: Sequence[float], width: float, height: float) -> str | None:
    """Why `shape` is not a valid box or point in a [0, width] x [0, height] space (None if valid)."""
    if len(shape) not in (2, 4):
        return f"wrong arity ({len(shape)} numbers)"
    if not all(math.isfinite(v) for v in shape):
        return "non-finite coordinate"
    xs, ys = shape[0::2], shape[1::2]
    if min(xs) < 0 or min(ys) < 0 or max(xs) > width or max(ys) > height:
        return f"coordinate out of range [0, {width:g}] x [0, {height:g}]"
    if len(shape) == 4 and (shape[0] > shape[2] or shape[1] > shape[3]):
        return "inverted box (x1 > x2 or y1 > y2)"
    if len(shape) == 4 and (shape[0] == shape[2] or shape[1] == shape[3]):
        return "zero-area box"
    return None


def coord_space(sample: Mapping[str, Any]) -> tuple[float, float]:
    if sample.get("coord_space", "norm") != "pixel":
        return NORM_MAX, NORM_MAX
    size = sample.get("image_size")
    if not (isinstance(size, (list, tuple)) and len(size) == 2 and all(isinstance(v, (int, float)) for v in size)):
        raise ValueError(f"pixel coord_space needs image_size [width, height], got {size!r}")
    return float(size[0]), float(size[1])


def parse_gold(sample: Mapping[str, Any]) -> list[tuple[float, ...]] | None:
    """The gold shapes as a list of tuples; None without an answer. Raises on a malformed gold
    (wrong arity, NaN, x1 > x2); a degenerate gold box (x1 == x2) is accepted, as the task files allow it."""
    gold = sample.get("answer")
    if gold is None or gold == "" or gold == []:
        return None
    if isinstance(gold, str):
        try:
            gold = json.loads(gold)
        except ValueError:
            gold = [list(s) for s in parse_shapes(gold)]
    shapes = gold_shapes(gold)
    for shape in shapes:
        if len(shape) not in (2, 4) or not all(math.isfinite(v) for v in shape) or (
            len(shape) == 4 and (shape[0] > shape[2] or shape[1] > shape[3])
        ):
            raise ValueError(f"malformed gold shape {list(shape)!r} in {sample.get('answer')!r}")
    if not shapes:
        raise ValueError(f"no gold shape in {sample.get('answer')!r}")
    return shapes


def gold_shapes(gold: Any) -> list[tuple[float, ...]]:
    if isinstance(gold, dict):
        gold = gold.get("bbox_2d", gold.get("point_2d", gold.get("bbox")))
    if isinstance(gold, (list, tuple)) and gold and all(isinstance(v, (int, float)) for v in gold):
        return [tuple(float(v) for v in gold)]
    if isinstance(gold, (list, tuple)):
        return [s for item in gold for s in gold_shapes(item)]
    raise ValueError(f"cannot read gold shape from {gold!r}")


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def inside(point: Sequence[float], box: Sequence[float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def pair_score(pred: Sequence[float], gold: Sequence[float], radius: float) -> float:
    if len(pred) == 4 and len(gold) == 4:
        return iou(pred, gold)
    if len(pred) == 2 and len(gold) == 2:
        return float(math.dist(pred, gold) <= radius)
    point, box = (pred, gold) if len(pred) == 2 else (gold, pred)
    return float(inside(point, box))


def best_assignment(weights: list[list[float]]) -> list[tuple[int, int]]:
    """Pairs (row, col) maximising the summed weight (Hungarian method, O(n^2 m), exact)."""
    if not weights or not weights[0]:
        return []
    flip = len(weights) > len(weights[0])
    w = [list(col) for col in zip(*weights)] if flip else weights
    n, m = len(w), len(w[0])
    u, v, p, way = [0.0] * (n + 1), [0.0] * (m + 1), [0] * (m + 1), [0] * (m + 1)
    for i in range(1, n + 1):
        p[0], j0 = i, 0
        minv, used = [math.inf] * (m + 1), [False] * (m + 1)
        while p[j0]:
            used[j0], i0, delta, j1 = True, p[j0], math.inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = -w[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
        while j0:
            j1 = way[j0]
            p[j0], j0 = p[j1], j1
    pairs = [(p[j] - 1, j - 1) for j in range(1, m + 1) if p[j]]
    return [(c, r) for r, c in pairs] if flip else pairs


def match_score(preds, golds, mode: str, tau: float, radius: float) -> tuple[float, list]:
    scores = [[pair_score(p, g, radius) for g in golds] for p in preds]
    if mode == "iou":
        weights = scores
    else:  # count hits first; the summed IoU (< 1 in total) only breaks ties
        scale = 1.0 / (min(len(preds), len(golds)) + 1)
        weights = [[float(s >= tau) + s * scale for s in row] for row in scores]
    pairs = [(i, j, scores[i][j]) for i, j in best_assignment(weights) if scores[i][j] > 0]
    if mode == "iou":
        return sum(s for _, _, s in pairs) / max(len(preds), len(golds)), pairs
    hits = sum(1 for _, _, s in pairs if s >= tau)
    return 2.0 * hits / (len(preds) + len(golds)), pairs


@verifier("grounding")
def grounding(sample: Mapping[str, Any], response: str) -> Verdict | None:
    golds = parse_gold(sample)
    if golds is None:
        return None
    mode = sample.get("iou_mode", "threshold")
    tau = float(sample.get("iou_threshold", 0.5))
    if mode not in ("threshold", "iou") or not 0 < tau <= 1:
        raise ValueError(f"iou_mode must be 'threshold' or 'iou' and 0 < iou_threshold <= 1, got {mode!r}, {tau}")
    width, height = coord_space(sample)
    radius = float(sample.get("point_radius", 0.05 * max(width, height)))
    preds = list(dict.fromkeys(parse_shapes(answer_span(response or ""))))
    details: dict[str, Any] = {"pred": [list(s) for s in preds], "gold": [list(g) for g in golds]}
    if not preds:
        return Verdict(0.0, {**details, "reason": "no box or point found"})
    for shape in preds:
        problem = shape_problem(shape, width, height)
        if problem:
            return Verdict(0.0, {**details, "reason": f"malformed {list(shape)}: {problem}"})
    score, pairs = match_score(preds, golds, mode, tau, radius)
    details["matches"] = [[i, j, round(s, 4)] for i, j, s in pairs]
    details["iou"] = round(max((s for _, _, s in pairs), default=0.0), 4)
    if score == 0:
        details["reason"] = f"no prediction reaches iou {tau:g}" if mode == "threshold" else "no overlap"
    return Verdict(score, details)
