"""Shapes world: seeds, coordinates, scene sampling, descriptions and rendering (PIL only).

A shape is a plain dict ``{"shape": "circle", "colour": "red", "box_px": [x1, y1, x2, y2]}``:
the tight pixel box of the drawn shape, ``x1, y1`` inclusive and ``x2, y2`` exclusive (every
pixel of the shape has ``x1 <= x < x2``). Boxes are square and never overlap (2 px gap).
Shapes are drawn without anti-aliasing, so every pixel of a shape has exactly its colour's RGB.
"""
from __future__ import annotations

import functools
import hashlib
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "yellow": (240, 200, 30),
    "purple": (140, 60, 180),
    "orange": (245, 130, 30),
}
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "star")
BACKGROUND = (255, 255, 255)
TEXT_COLOUR = (0, 0, 0)
GAP = 2  # minimum free pixels between two shapes' boxes


def stable_seed(*parts) -> int:
    """A 64-bit seed from the parts' text (sha256): stable across runs and machines, unlike hash()."""
    text = "|".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def norm1000(px: float, size: int) -> int:
    """Pixel coordinate -> integer in [1, 1000]: clamp(round(px / size * 1000), 1, 1000)."""
    return min(1000, max(1, round(px / size * 1000)))


def box_to_norm1000(box_px, width: int, height: int) -> list[int]:
    x1, y1, x2, y2 = box_px
    return [norm1000(x1, width), norm1000(y1, height), norm1000(x2, width), norm1000(y2, height)]


def box_text(box) -> str:
    """The answer text of a box: "[x1,y1,x2,y2]" (no spaces)."""
    return "[" + ",".join(str(int(v)) for v in box) + "]"


def centre(shape: dict) -> tuple[float, float]:
    x1, y1, x2, y2 = shape["box_px"]
    return (x1 + x2) / 2, (y1 + y2) / 2


def position_words(shape: dict, width: int, height: int) -> str:
    """Where a shape is on a 3x3 grid: "top left", "top centre", ..., "centre", ..., "bottom right"."""
    cx, cy = centre(shape)
    col = ("left", "centre", "right")[min(2, int(3 * cx / width))]
    row = ("top", "middle", "bottom")[min(2, int(3 * cy / height))]
    return "centre" if (row, col) == ("middle", "centre") else f"{row} {col}"


def name(shape: dict) -> str:
    return f"{shape['colour']} {shape['shape']}"


def with_article(words: str) -> str:
    return ("an " if words[0] in "aeiou" else "a ") + words


def join_and(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def left_to_right(shapes: list[dict]) -> list[dict]:
    return sorted(shapes, key=lambda s: (centre(s)[0], centre(s)[1]))


def describe_list(shapes: list[dict]) -> str:
    """'a red circle, a blue square and a red star' (left to right)."""
    return join_and([with_article(name(s)) for s in left_to_right(shapes)])


# ---------------------------------------------------------------- scene sampling

def sample_combos(rng: random.Random, n: int, colours, shapes, target=None, distractors: int = 0,
                  allowed=None) -> list[tuple[str, str]]:
    """n (colour, shape) pairs. With a target pair it comes first; then up to `distractors` pairs
    sharing exactly one attribute with it; every other pair passes `allowed(pair)` (default: any).
    Returns fewer than n pairs when the constraints leave no candidates."""
    every = [(c, s) for c in colours for s in shapes]
    ok = [p for p in every if allowed is None or allowed(p)]
    out = [target] if target is not None else []
    if target is not None:
        near = [p for p in ok if (p[0] == target[0]) != (p[1] == target[1])]
        for _ in range(min(distractors, n - 1)):
            if near:
                out.append(rng.choice(near))
    while len(out) < n and ok:
        out.append(rng.choice(ok))
    return out[:n]


def place_boxes(rng: random.Random, n: int, width: int, height: int, min_frac: float, max_frac: float,
                avoid=()) -> list[list[int]]:
    """n square, non-overlapping boxes (side min_frac..max_frac of the shorter image side) that also
    keep clear of the boxes in `avoid`; shapes shrink when the canvas gets crowded."""
    base = min(width, height)
    lo, hi = max(6, int(min_frac * base)), max(6, int(max_frac * base))
    for shrink in range(12):
        scale = 0.85 ** shrink
        boxes: list[list[int]] = []
        for _ in range(n):
            for _try in range(60):
                a = max(6, int(rng.randint(lo, max(lo, hi)) * scale))
                a = min(a, width - 2, height - 2)
                x, y = rng.randint(1, width - a - 1), rng.randint(1, height - a - 1)
                box = [x, y, x + a, y + a]
                if all(_apart(box, b) for b in boxes) and all(_apart(box, b) for b in avoid):
                    boxes.append(box)
                    break
            else:
                break
        if len(boxes) == n:
            return boxes
    raise ValueError(f"cannot place {n} non-overlapping shapes on a {width}x{height} image")


def _apart(a, b) -> bool:
    return a[2] + GAP <= b[0] or b[2] + GAP <= a[0] or a[3] + GAP <= b[1] or b[3] + GAP <= a[1]


def make_shapes(combos, boxes) -> list[dict]:
    return [{"shape": s, "colour": c, "box_px": list(b)} for (c, s), b in zip(combos, boxes)]


# ---------------------------------------------------------------- rendering

def _star_unit() -> list[tuple[float, float]]:
    pts = []
    for i in range(10):
        r = 1.0 if i % 2 == 0 else 0.45
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((r * math.cos(a), r * math.sin(a)))
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [((x - min(xs)) / (max(xs) - min(xs)), (y - min(ys)) / (max(ys) - min(ys))) for x, y in pts]


_STAR = _star_unit()


def draw_shape(draw: ImageDraw.ImageDraw, shape: dict, fill=None) -> None:
    """Draw one shape in its colour (or in `fill`: a label value, for label maps)."""
    x1, y1, x2, y2 = shape["box_px"]
    fill = COLOURS[shape["colour"]] if fill is None else fill
    w, h = x2 - 1 - x1, y2 - 1 - y1  # last pixel inclusive for PIL
    kind = shape["shape"]
    if kind == "circle":
        draw.ellipse([x1, y1, x2 - 1, y2 - 1], fill=fill)
    elif kind == "square":
        draw.rectangle([x1, y1, x2 - 1, y2 - 1], fill=fill)
    elif kind == "triangle":
        draw.polygon([(x1 + w / 2, y1), (x1, y2 - 1), (x2 - 1, y2 - 1)], fill=fill)
    elif kind == "star":
        draw.polygon([(x1 + u * w, y1 + v * h) for u, v in _STAR], fill=fill)
    else:
        raise ValueError(f"unknown shape {kind!r}")


@functools.lru_cache(maxsize=64)
def font(size: int):
    """PIL's built-in default font (no font files): scalable when FreeType is there, else bitmap."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, ImportError, OSError):
        return ImageFont.load_default()


def text_font(lines: list[str], width: int, height: int):
    """The largest default-font size (<= height/6) at which every line fits 90% of the width."""
    size = max(8, height // 6)
    while size > 8:
        f = font(size)
        if max(f.getbbox(t)[2] for t in lines) <= 0.9 * width and len(lines) * size * 1.3 <= 0.9 * height:
            return f
        size -= 1
    return font(8)


def render(frame: dict, width: int, height: int) -> Image.Image:
    """A frame spec {"shapes": [...]} or {"text": [lines]} -> RGB image."""
    img = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(img)
    for shape in frame.get("shapes", ()):
        draw_shape(draw, shape)
    lines = frame.get("text")
    if lines:
        f = text_font(lines, width, height)
        boxes = [f.getbbox(t) for t in lines]
        step = max(b[3] for b in boxes) + max(2, height // 28)
        y = (height - step * len(lines)) / 2
        for t, b in zip(lines, boxes):
            draw.text(((width - b[2]) / 2, y), t, fill=TEXT_COLOUR, font=f)
            y += step
    return img


def save_png(img: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="PNG", compress_level=6)
