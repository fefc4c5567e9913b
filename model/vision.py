"""Image sizing and coordinate helpers (pure Python + Pillow, no model needed).

Sizing follows Qwen2-VL / Seed1.5-VL: the vision encoder uses 14-pixel patches and merges 2x2
patches into one token, so an image is resized to multiples of 28 (= 14 * 2) and costs
(h / 14) * (w / 14) / 4 tokens.

Coordinates follow the Seed1.5-VL report: boxes and points are written as integers in [1, 1000],
normalised by the image width (x) and height (y). See `to_norm1000` for the exact mapping.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Sequence

from PIL import Image

PATCH = 14
MERGE = 2
FACTOR = PATCH * MERGE  # 28
MIN_PIXELS = 56 * 56  # 3136 pixels = 4 tokens
MAX_PIXELS = 14 * 14 * 4 * 1280  # 1003520 pixels = 1280 tokens (Qwen2-VL's default)
MAX_ASPECT = 200

_EPS = 1e-9  # tolerance against float noise such as 20 * 2.8 == 56.00000000000001


def _round_by(x: float, factor: int) -> int:
    """Nearest multiple of `factor` (Python's round: halves go to the even multiple, as Qwen2-VL)."""
    return round(x / factor) * factor


def _floor_by(x: float, factor: int) -> int:
    return math.floor(x / factor + _EPS) * factor


def _ceil_by(x: float, factor: int) -> int:
    return math.ceil(x / factor - _EPS) * factor


def smart_resize(height: float, width: float, factor: int = FACTOR,
                 min_pixels: int = MIN_PIXELS, max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """Target (h, w) for an image: both multiples of `factor`, aspect ratio kept, pixels bounded.

    The Qwen2-VL rule:
      1. h, w = nearest multiples of `factor` (at least `factor`);
      2. if h * w > max_pixels: beta = sqrt(H * W / max_pixels), h, w = floor(H / beta), floor(W / beta)
         to multiples of `factor` (at least `factor`);
      3. elif h * w < min_pixels: beta = sqrt(min_pixels / (H * W)), h, w = ceil(H * beta),
         ceil(W * beta) to multiples of `factor`.
    Example: 500 x 300 -> 504 x 308; 4000 x 3000 -> 1148 x 840 (under 1003520 pixels).
    Raises ValueError for non-positive sizes, bad bounds, or an aspect ratio above 200.
    """
    if not (height > 0 and width > 0):
        raise ValueError(f"image height and width must be positive, got {height} x {width}")
    if factor <= 0:
        raise ValueError(f"factor must be positive, got {factor}")
    if min_pixels <= 0 or max_pixels < min_pixels:
        raise ValueError(f"need 0 < min_pixels <= max_pixels, got {min_pixels} and {max_pixels}")
    if max(height, width) / min(height, width) > MAX_ASPECT:
        raise ValueError(f"aspect ratio {max(height, width) / min(height, width):.1f} of a "
                         f"{height} x {width} image is above the limit of {MAX_ASPECT}")
    h = max(factor, _round_by(height, factor))
    w = max(factor, _round_by(width, factor))
    if h * w > max_pixels:
        beta = math.sqrt(height * width / max_pixels)
        h = max(factor, _floor_by(height / beta, factor))
        w = max(factor, _floor_by(width / beta, factor))
    elif h * w < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h = _ceil_by(height * beta, factor)
        w = _ceil_by(width * beta, factor)
    return h, w


def resize_image(img: Image.Image, max_pixels: int = MAX_PIXELS, min_pixels: int = MIN_PIXELS,
                 factor: int = FACTOR) -> Image.Image:
    """Resize `img` (bicubic) to `smart_resize(img.height, img.width, ...)`; same image if unchanged."""
    h, w = smart_resize(img.height, img.width, factor=factor, min_pixels=min_pixels, max_pixels=max_pixels)
    if (h, w) == (img.height, img.width):
        return img
    return img.resize((w, h), Image.Resampling.BICUBIC)


def num_image_tokens(h: int, w: int, patch: int = PATCH, merge: int = MERGE) -> int:
    """Vision tokens of an already-resized h x w image: (h / patch) * (w / patch) / merge**2.

    112 x 112 -> 8 * 8 / 4 = 16. Raises ValueError if h or w is not a positive multiple of patch * merge.
    """
    unit = patch * merge
    if h <= 0 or w <= 0 or h % unit or w % unit:
        raise ValueError(f"image size {h} x {w} must be positive multiples of {unit} "
                         f"(patch {patch} x merge {merge}); resize it with smart_resize first")
    return (h // patch) * (w // patch) // (merge * merge)


# ---------------------------------------------------------------------------- coordinates

def _exact(x) -> Fraction:
    """Exact value of an int or float (numpy scalars included)."""
    return Fraction(int(x)) if isinstance(x, numbers.Integral) else Fraction(float(x))


def _check_size(width, height):
    if not (width > 0 and height > 0):
        raise ValueError(f"image width and height must be positive, got {width} x {height}")


def to_norm1000(x: float, size: float) -> int:
    """One pixel coordinate -> integer in [1, 1000].

    n = clamp(floor(x * 1000 / size + 1/2), 1, 1000), computed exactly (round half up, no float noise).
    x must lie in [0, size]. Inverse: `from_norm1000`, x = n / 1000 * size.
    to -> from -> to gives the same n for every integer (indeed every) pixel coordinate.
    """
    _check_size(size, size)
    if not 0 <= x <= size:
        raise ValueError(f"coordinate {x} is outside the image [0, {size}]")
    n = math.floor(_exact(x) * 1000 / _exact(size) + Fraction(1, 2))
    return min(1000, max(1, n))


def from_norm1000(n: int, size: float) -> float:
    """Integer in [1, 1000] -> pixel coordinate x = n / 1000 * size."""
    _check_size(size, size)
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= 1000:
        raise ValueError(f"normalised coordinate must be an integer in [1, 1000], got {n!r}")
    return int(n) / 1000 * size


def _check_box(box, what):
    if len(box) != 4:
        raise ValueError(f"{what} must have 4 numbers [x1, y1, x2, y2], got {len(box)}: {box!r}")
    x1, y1, x2, y2 = box
    if x1 > x2 or y1 > y2:
        raise ValueError(f"{what} {list(box)} needs x1 <= x2 and y1 <= y2")
    return x1, y1, x2, y2


def to_norm1000_box(box_px: Sequence[float], width: float, height: float) -> list[int]:
    """Pixel box [x1, y1, x2, y2] -> [n_x1, n_y1, n_x2, n_y2] in [1, 1000] (x by width, y by height).

    Raises ValueError if the box is not 4 numbers, x1 > x2, y1 > y2, or a corner lies outside
    [0, width] x [0, height].
    """
    _check_size(width, height)
    x1, y1, x2, y2 = _check_box(box_px, "box")
    return [to_norm1000(x1, width), to_norm1000(y1, height), to_norm1000(x2, width), to_norm1000(y2, height)]


def from_norm1000_box(box: Sequence[int], width: float, height: float) -> list[float]:
    """[n_x1, n_y1, n_x2, n_y2] in [1, 1000] -> pixel box [x1, y1, x2, y2] (floats)."""
    _check_size(width, height)
    x1, y1, x2, y2 = _check_box(box, "normalised box")
    return [from_norm1000(x1, width), from_norm1000(y1, height), from_norm1000(x2, width), from_norm1000(y2, height)]


def to_norm1000_point(point_px: Sequence[float], width: float, height: float) -> list[int]:
    """Pixel point [x, y] -> [n_x, n_y] in [1, 1000]."""
    _check_size(width, height)
    if len(point_px) != 2:
        raise ValueError(f"point must have 2 numbers [x, y], got {point_px!r}")
    return [to_norm1000(point_px[0], width), to_norm1000(point_px[1], height)]


def from_norm1000_point(point: Sequence[int], width: float, height: float) -> list[float]:
    """[n_x, n_y] in [1, 1000] -> pixel point [x, y] (floats)."""
    _check_size(width, height)
    if len(point) != 2:
        raise ValueError(f"normalised point must have 2 numbers [x, y], got {point!r}")
    return [from_norm1000(point[0], width), from_norm1000(point[1], height)]


def iou(box_a: Sequence[float], box_b: Sequence[float]) -> float:
    """Intersection over union of two [x1, y1, x2, y2] boxes (any common unit).

    A box with zero or negative width or height (x2 <= x1 or y2 <= y1) counts as empty: result 0.0.
    Raises ValueError only if a box does not have 4 numbers.
    """
    for name, b in (("box_a", box_a), ("box_b", box_b)):
        if len(b) != 4:
            raise ValueError(f"{name} must have 4 numbers [x1, y1, x2, y2], got {b!r}")
    ax1, ay1, ax2, ay2 = box_a
    bx1, by1, bx2, by2 = box_b
    area_a = (ax2 - ax1) * (ay2 - ay1)
    area_b = (bx2 - bx1) * (by2 - by1)
    if ax2 <= ax1 or ay2 <= ay1 or bx2 <= bx1 or by2 <= by1:
        return 0.0
    iw = min(ax2, bx2) - max(ax1, bx1)
    ih = min(ay2, by2) - max(ay1, by1)
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    return float(inter / (area_a + area_b - inter))
