"""Grounding verifier ("grounding"): boxes and points scored by IoU against the gold.

Forms read from the response (NFKC-normalised, so full-width brackets and commas count; inside the
last `<answer>...</answer>` if there is one), in tiers; the first tier that yields anything is used,
so one box is never read twice:
  1. JSON-ish keys: `"bbox_2d": [x1, y1, x2, y2]`, `"point_2d": [x, y]` (fences, lists of objects,
     single quotes and broken JSON are fine: only the key and its bracket are read); Gemini's
     `"box_2d": [y1, x1, y2, x2]` is read y-first, as Google documents it;
  2. tags: `<box>(x1,y1),(x2,y2)</box>`, `<box>x1 y1 x2 y2</box>`, `<box>[[x1,y1,x2,y2]]</box>`,
     `<point>x y</point>`, `<|box_start|>(x1,y1),(x2,y2)<|box_end|>` (an `<|object_ref_start|>` or
     `<ref>` label is ignored), and Molmo's `<point x="61.5" y="40.2">` / `<points x1=".." y1=".."
     x2=".." y2="..">` (points in percent of the image, always);
  3. bare: `[x1,y1,x2,y2]`, `[[x1,y1,x2,y2]]`, `[x,y]`, `(x1,y1),(x2,y2)`, `(x,y)`, `(x1,y1,x2,y2)`,
     and Shikra/CogVLM's several boxes in one bracket, `[x1,y1,x2,y2;x1,y1,x2,y2]`; a bracket
     holding anything but numbers is prose and skipped, and so is a parenthesis unless it holds
     2 or 4 numbers;
  4. named: `x1=.., y1=.., x2=.., y2=..` (also `"xmin": ..` etc., in that order), and a click
     `x=.., y=..` (e.g. `pyautogui.click(x=200, y=150)`);
  5. an answer that is nothing but numbers, after at most a short label: `110, 110, 310, 310`,
     `Answer: 0.2 0.3 0.5 0.6`.
Four numbers are a box, two a point. Model-native location tokens (Florence-2 `<loc_N>`, PaliGemma
`<locNNNN>`, Kosmos-2 patch indices) are not read: they need the model's own processor.

Coordinates: by default Qwen2-VL's 0-1000 space; pixels when `sample["coord_space"] == "pixel"`
(`sample["image_size"] == [w, h]`). An answer whose coordinates all lie in [0, 1] with at least one
written as a fraction (`[0.12, 0.30, 0.50, 0.90]`, `(0.5, 0.25)`, `[0.0, 0.0, 1.0, 1.0]`) is in
normalised 0-1 units (Shikra, Ferret, lmms-eval's RefCOCO prompt, InternVL's and VLMEvalKit's
RefCOCO graders all read it so) and is scaled to the sample's space: x by 1000 or the image width,
y by 1000 or the height. The whole answer is judged at once, so `[0, 0, 1, 1]` alone (integers) stays
a 1x1 box and `[0.5, 0.5, 1, 1]` is a quarter of the image. A gold given in 0-1 floats is scaled the
same way. Nothing else is rescaled: pixels written against a 0-1000 gold are compared as they are.

After scaling, a shape with NaN/inf, a coordinate outside the space ([0, 1000], or the image), x1 >= x2
or y1 >= y2, or another count of numbers makes the whole answer score 0; nothing is swapped or clamped.

Pair scores: box/box IoU on continuous coordinates (area = (x2 - x1) * (y2 - y1), no +1 pixel
convention; boxes that only touch have IoU 0); point/box 1 if the point lies in the box, border
included (either side may be the point); point/point 1 if within `sample["point_radius"]` (default 5%
of the larger side of the space). Predictions (exact duplicates dropped, at most MAX_SHAPES) are
matched one-to-one to the gold shapes by an exact assignment. "threshold" mode (default, tau =
`sample["iou_threshold"]`, 0.5, hit when IoU >= tau): score = F1 = 2 * hits / (n_pred + n_gold);
"iou" mode: sum of matched scores / max(n_pred, n_gold), so missing and extra shapes count as 0.
With one gold and one prediction these are 1[IoU >= tau] and the IoU.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from typing import Any, Mapping, NamedTuple, Sequence

from verifiers import Verdict, verifier

MAX_SHAPES = 100
NORM_MAX = 1000.0
WHOLE_MAX_CHARS = 2000  # tier 5 looks at answers up to this long
NUM = r"[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)"
NUM_TOKEN = re.compile(rf"(?<![\w.]){NUM}(?![\w.])", re.IGNORECASE)
KEY_RE = re.compile(r"""["']?\b(bbox_2d|point_2d|box_2d)\b["']?\s*[:=]\s*\[([^\[\]]{0,300})\]""")
TAG_RE = re.compile(
    r"<(box|point)>(.{0,300}?)</\1>|<\|box_start\|>(.{0,300}?)<\|box_end\|>|<(points?)\b([^<>]{0,1000})>",
    re.DOTALL,
)
MOLMO_ATTR = re.compile(rf"""\b([xy])(\d{{0,3}})\s*=\s*["']\s*({NUM})\s*["']""", re.IGNORECASE)
PAIR = rf"\(\s*({NUM})\s*,\s*({NUM})\s*\)"
BARE_RE = re.compile(rf"{PAIR}\s*(?:,|-|to)?\s*{PAIR}|\(([^()]{{0,300}})\)|\[([^\[\]]{{0,300}})\]", re.IGNORECASE)
_SEP = r"\s*[,;]?\s*"
LABEL_RE = re.compile(r"^[^\d\[\](){}<>:;]{0,40}:\s*")  # "Answer: ", "Bounding box: "


def _named(keys: str) -> str:
    return rf"""["']?(?:{keys})["']?\s*[:=]\s*({NUM})"""


NAMED_RE = re.compile(
    rf"(?<!\w)(?:{_named('x1|x_?min')}{_SEP}{_named('y1|y_?min')}{_SEP}{_named('x2|x_?max')}{_SEP}{_named('y2|y_?max')}"
    rf"|x\s*=\s*({NUM})\s*,?\s*y\s*=\s*({NUM})(?![\w.]))",
    re.IGNORECASE,
)

SPACE, FRACTION = "space", "fraction"


class Found(NamedTuple):
    """A shape as written: its numbers, whether one was written with a decimal point, and its unit
    (SPACE: the sample's space or 0-1 fractions, decided per answer; FRACTION: known 0-1 fractions)."""

    shape: tuple[float, ...]
    decimal: bool = False
    unit: str = SPACE


def to_float(token: str) -> float:
    try:
        return float(token)
    except ValueError:
        return math.nan


def read_numbers(text: str) -> Found:
    tokens = [m.group() for m in NUM_TOKEN.finditer(text)]
    return Found(tuple(to_float(t) for t in tokens), any("." in t for t in tokens))


def is_numeric_list(text: str) -> bool:
    """True when `text` (a bracket's inside) is only numbers separated by commas/whitespace."""
    parts = [p for p in re.split(r"[\s,]+", text.strip()) if p]
    return len(parts) >= 2 and all(re.fullmatch(NUM, p, re.IGNORECASE) for p in parts)


def numeric_groups(text: str) -> list[Found] | None:
    """The `;`-separated number lists in a bracket's inside, or None if it holds anything else."""
    groups = text.split(";")
    if not all(is_numeric_list(g) for g in groups):
        return None
    return [read_numbers(g) for g in groups]


def answer_span(text: str) -> str:
    start = text.rfind("<answer>")
    if start < 0:
        return text
    end = text.find("</answer>", start)
    return text[start + len("<answer>") : end if end >= 0 else len(text)]


def find_shapes(text: str) -> list[Found]:
    """Every box/point-like shape in `text` (first tier that has any), at most MAX_SHAPES."""
    for tier in (key_shapes, tag_shapes, bare_shapes, named_shapes, whole_shapes):
        found = tier(text)
        if found:
            return found[:MAX_SHAPES]
    return []


def parse_shapes(text: str) -> list[tuple[float, ...]]:
    """The shapes of `find_shapes`, as written (not yet scaled)."""
    return [f.shape for f in find_shapes(text)]


def key_shapes(text: str) -> list[Found]:
    out = []
    for m in KEY_RE.finditer(text):
        f = read_numbers(m.group(2))
        if m.group(1) == "box_2d":  # Gemini: [ymin, xmin, ymax, xmax]
            s = f.shape
            f = f._replace(shape=tuple(s[i ^ 1] if (i ^ 1) < len(s) else s[i] for i in range(len(s))))
        out.append(f)
        if len(out) >= MAX_SHAPES:
            break
    return out


def tag_shapes(text: str) -> list[Found]:
    out: list[Found] = []
    for m in TAG_RE.finditer(text):
        if m.group(4):
            out.extend(molmo_points(m.group(5)))
        else:
            out.extend(tag_content(m.group(2) if m.group(1) else m.group(3)))
        if len(out) >= MAX_SHAPES:
            break
    return out


def tag_content(content: str) -> list[Found]:
    if "[" in content or "(" in content:
        found = bare_shapes(content)
        if found:
            return found
    return [read_numbers(g) for g in content.split(";")]


def molmo_points(attrs: str) -> list[Found]:
    """Molmo's `<point x=".." y="..">` / `<points x1=.. y1=.. x2=.. y2=..>`: points in percent."""
    points: dict[str, dict[str, float]] = {}
    for m in MOLMO_ATTR.finditer(attrs):
        points.setdefault(m.group(2), {})[m.group(1).lower()] = to_float(m.group(3)) / 100.0
    return [Found(tuple(p[k] for k in "xy" if k in p), True, FRACTION) for p in points.values()]


def bare_shapes(text: str) -> list[Found]:
    out: list[Found] = []
    for m in BARE_RE.finditer(text):
        g = m.groups()
        if g[0] is not None:
            out.append(Found(tuple(to_float(x) for x in g[0:4]), any("." in x for x in g[0:4])))
        elif g[4] is not None:  # parenthesis: prose unless it holds 2 or 4 numbers (per `;` group)
            groups = numeric_groups(g[4])
            if groups and all(len(f.shape) in (2, 4) for f in groups):
                out.extend(groups)
        else:
            out.extend(numeric_groups(g[5]) or [])
        if len(out) >= MAX_SHAPES:
            break
    return out


def named_shapes(text: str) -> list[Found]:
    out = []
    for m in NAMED_RE.finditer(text):
        tokens = [t for t in m.groups() if t is not None]
        out.append(Found(tuple(to_float(t) for t in tokens), any("." in t for t in tokens)))
        if len(out) >= MAX_SHAPES:
            break
    return out


def whole_shapes(text: str) -> list[Found]:
    """An answer that is only numbers (`110, 110, 310, 310`, `Answer: 0.5 0.3`): its `;` groups."""
    body = text.strip()
    if len(body) > WHOLE_MAX_CHARS:
        return []
    body = LABEL_RE.sub("", body, count=1).rstrip(".").strip()
    return numeric_groups(body) if body else []


def is_fraction_answer(found: Sequence[Found]) -> bool:
    """All coordinates in [0, 1] and at least one written as a fraction: normalised 0-1 units."""
    auto = [f for f in found if f.unit == SPACE]
    values = [v for f in auto for v in f.shape]
    return bool(values) and all(0.0 <= v <= 1.0 for v in values) and (
        any(f.decimal for f in auto) or any(v != int(v) for v in values)
    )


def scale(shape: Sequence[float], width: float, height: float) -> tuple[float, ...]:
    return tuple(v * (width if i % 2 == 0 else height) for i, v in enumerate(shape))


def to_space(found: Sequence[Found], width: float, height: float) -> tuple[list[tuple[float, ...]], bool]:
    """The shapes in the sample's space, and whether the answer was read as 0-1 fractions."""
    fraction = is_fraction_answer(found)
    shapes = [scale(f.shape, width, height) if f.unit == FRACTION or fraction else f.shape for f in found]
    return shapes, fraction


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
    """The gold shapes as a list of tuples in the sample's space; None without an answer. Raises on a
    malformed gold (wrong arity, NaN, x1 > x2); a degenerate gold box (x1 == x2) is accepted, as the
    task files allow it. A gold in 0-1 fractions is scaled like a response (see the module doc)."""
    gold = sample.get("answer")
    if gold is None or gold == "" or gold == []:
        return None
    if isinstance(gold, str):
        try:
            gold = json.loads(gold)
        except ValueError:
            gold = find_shapes(unicodedata.normalize("NFKC", gold))
    found = gold if gold and all(isinstance(f, Found) for f in gold) else [Found(s) for s in gold_shapes(gold)]
    for f in found:
        shape = f.shape
        if len(shape) not in (2, 4) or not all(math.isfinite(v) for v in shape) or (
            len(shape) == 4 and (shape[0] > shape[2] or shape[1] > shape[3])
        ):
            raise ValueError(f"malformed gold shape {list(shape)!r} in {sample.get('answer')!r}")
    if not found:
        raise ValueError(f"no gold shape in {sample.get('answer')!r}")
    if is_fraction_answer(found) or any(f.unit == FRACTION for f in found):
        return to_space(found, *coord_space(sample))[0]
    return [f.shape for f in found]


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
    preds, fraction = to_space(find_shapes(answer_span(unicodedata.normalize("NFKC", response or ""))), width, height)
    preds = list(dict.fromkeys(preds))
    details: dict[str, Any] = {"pred": [list(s) for s in preds], "gold": [list(g) for g in golds]}
    if fraction:
        details["units"] = "fraction"
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
