import pytest
from PIL import Image

from model.vision import (
    MAX_PIXELS, from_norm1000, from_norm1000_box, from_norm1000_point, iou, num_image_tokens,
    resize_image, smart_resize, to_norm1000, to_norm1000_box, to_norm1000_point,
)


# ------------------------------------------------------------------ smart_resize

def test_smart_resize_exact_multiple_unchanged():
    # 112 = 4 * 28 on both sides; 112 * 112 = 12544 is inside [3136, 1003520].
    assert smart_resize(112, 112) == (112, 112)
    # (112 / 14) * (112 / 14) / 4 = 8 * 8 / 4 = 16 tokens
    assert num_image_tokens(112, 112) == 16


def test_smart_resize_rounds_to_nearest_multiple():
    # 500 / 28 = 17.86 -> 18 -> 504 ; 300 / 28 = 10.71 -> 11 -> 308 ; 504 * 308 = 155232 is in range.
    assert smart_resize(500, 300) == (504, 308)
    # (504 / 14) * (308 / 14) / 4 = 36 * 22 / 4 = 198
    assert num_image_tokens(504, 308) == 198


def test_smart_resize_scales_huge_image_down():
    # 4000 x 3000 rounds to 4004 x 2996 (12M pixels) > 1003520, so
    # beta = sqrt(12e6 / 1003520) = 3.4581; 4000 / beta = 1156.7 -> floor to 28s: 41 * 28 = 1148;
    # 3000 / beta = 867.5 -> 30 * 28 = 840.  1148 * 840 = 964320 <= 1003520.
    h, w = smart_resize(4000, 3000)
    assert (h, w) == (1148, 840)
    assert h * w <= MAX_PIXELS
    # a smaller cap: 1000 x 1000 with max 200000 -> beta = sqrt(1e6 / 2e5) = 2.236; 447.2 -> 15 * 28 = 420
    assert smart_resize(1000, 1000, max_pixels=200_000) == (420, 420)


def test_smart_resize_scales_tiny_image_up():
    # 20 x 20 rounds to 28 x 28 = 784 < 3136, so beta = sqrt(3136 / 400) = 2.8; 20 * 2.8 = 56 -> 56
    # (56.00000000000001 in floats must not be ceiled to 84).
    assert smart_resize(20, 20) == (56, 56)


def test_smart_resize_thin_image_keeps_minimum_side():
    # 10 -> max(28, 0) = 28 ; 500 -> 504 ; 28 * 504 = 14112 >= 3136.  Aspect 50 is allowed.
    assert smart_resize(10, 500) == (28, 504)


@pytest.mark.parametrize("h, w", [(0, 100), (100, 0), (-5, 100)])
def test_smart_resize_rejects_non_positive(h, w):
    with pytest.raises(ValueError, match="positive"):
        smart_resize(h, w)


def test_smart_resize_rejects_absurd_aspect():
    # 3000 / 10 = 300 > 200
    with pytest.raises(ValueError, match="aspect ratio"):
        smart_resize(10, 3000)
    assert smart_resize(10, 2000)  # 200 exactly is allowed


def test_smart_resize_rejects_bad_bounds():
    with pytest.raises(ValueError, match="min_pixels"):
        smart_resize(100, 100, min_pixels=5000, max_pixels=4000)


def test_resize_image():
    img = Image.new("RGB", (300, 500))  # PIL size is (width, height): 500 tall, 300 wide
    out = resize_image(img)
    assert out.size == (308, 504)
    same = Image.new("RGB", (112, 112))
    assert resize_image(same) is same
    # max_pixels caps it: 1000 x 1000 -> 420 x 420 as above
    assert resize_image(Image.new("RGB", (1000, 1000)), max_pixels=200_000).size == (420, 420)


def test_num_image_tokens_rejects_unresized():
    with pytest.raises(ValueError, match="multiples of 28"):
        num_image_tokens(100, 112)
    assert num_image_tokens(28, 28) == 1
    assert num_image_tokens(56, 56, patch=14, merge=1) == 16  # no merge: 4 * 4 patches


# ------------------------------------------------------------------ coordinates

def test_norm1000_scalar_rule():
    # n = clamp(floor(x * 1000 / W + 1/2), 1, 1000)
    assert to_norm1000(0, 640) == 1          # 0 -> clamped up to 1
    assert to_norm1000(640, 640) == 1000     # right edge
    assert to_norm1000(320, 640) == 500
    assert to_norm1000(1, 640) == 2          # 1.5625 + 0.5 -> 2
    assert to_norm1000(1, 2000) == 1         # 0.5 exactly -> rounds half up to 1
    assert to_norm1000(3, 2000) == 2         # 1.5 -> 2 (half up, not half to even)
    assert to_norm1000(5, 2000) == 3         # 2.5 -> 3
    assert from_norm1000(500, 640) == 320.0
    assert from_norm1000(1000, 480) == 480.0


def test_norm1000_box():
    # 640 wide, 480 tall: x1 = 64 -> 100, y1 = 48 -> 100, x2 = 320 -> 500, y2 = 240 -> 500
    assert to_norm1000_box([64, 48, 320, 240], 640, 480) == [100, 100, 500, 500]
    assert from_norm1000_box([100, 100, 500, 500], 640, 480) == [64.0, 48.0, 320.0, 240.0]
    # full image clamps to [1, 1000]; 639 / 640 * 1000 = 998.4 -> 998; 1 / 480 * 1000 = 2.08 -> 2
    assert to_norm1000_box([0, 0, 640, 480], 640, 480) == [1, 1, 1000, 1000]
    assert to_norm1000_box([1, 1, 639, 479], 640, 480) == [2, 2, 998, 998]


def test_norm1000_point():
    assert to_norm1000_point([320, 120], 640, 480) == [500, 250]
    assert from_norm1000_point([500, 250], 640, 480) == [320.0, 120.0]
    assert to_norm1000_point([0, 480], 640, 480) == [1, 1000]


@pytest.mark.parametrize("W, H", [(640, 480), (1920, 1080), (333, 77), (1, 1), (4000, 7)])
def test_norm1000_round_trip_every_integer_pixel(W, H):
    for x in range(W + 1):
        n = to_norm1000(x, W)
        assert to_norm1000(from_norm1000(n, W), W) == n
    for y in range(H + 1):
        n = to_norm1000_point([0, y], W, H)
        assert to_norm1000_point(from_norm1000_point(n, W, H), W, H) == n


def test_norm1000_box_round_trip():
    W, H = 1333, 751
    for box in ([0, 0, W, H], [17, 5, 900, 750], [100, 100, 100, 100], [1332, 1, 1333, 2]):
        n = to_norm1000_box(box, W, H)
        assert all(1 <= v <= 1000 for v in n)
        assert to_norm1000_box(from_norm1000_box(n, W, H), W, H) == n


def test_norm1000_validation():
    with pytest.raises(ValueError, match="x1 <= x2"):
        to_norm1000_box([100, 10, 50, 20], 640, 480)
    with pytest.raises(ValueError, match="x1 <= x2 and y1 <= y2"):
        to_norm1000_box([10, 100, 50, 20], 640, 480)
    with pytest.raises(ValueError, match="outside the image"):
        to_norm1000_box([10, 10, 700, 20], 640, 480)
    with pytest.raises(ValueError, match="outside the image"):
        to_norm1000_point([-1, 10], 640, 480)
    with pytest.raises(ValueError, match="4 numbers"):
        to_norm1000_box([1, 2, 3], 640, 480)
    with pytest.raises(ValueError, match="2 numbers"):
        to_norm1000_point([1, 2, 3], 640, 480)
    with pytest.raises(ValueError, match="positive"):
        to_norm1000_box([0, 0, 1, 1], 0, 480)
    with pytest.raises(ValueError, match=r"\[1, 1000\]"):
        from_norm1000_box([0, 1, 5, 5], 640, 480)
    with pytest.raises(ValueError, match=r"\[1, 1000\]"):
        from_norm1000_point([1001, 5], 640, 480)
    with pytest.raises(ValueError, match="integer"):
        from_norm1000_point([2.5, 5], 640, 480)
    with pytest.raises(ValueError, match="integer"):
        from_norm1000(True, 640)


# ------------------------------------------------------------------ iou

def test_iou_values():
    assert iou([0, 0, 10, 10], [0, 0, 10, 10]) == 1.0
    # overlap 5 x 10 = 50; union 100 + 100 - 50 = 150 -> 1/3
    assert iou([0, 0, 10, 10], [5, 0, 15, 10]) == pytest.approx(1 / 3)
    # overlap 5 x 5 = 25; union 175 -> 1/7
    assert iou([0, 0, 10, 10], [5, 5, 15, 15]) == pytest.approx(1 / 7)
    # contained: 4 / 100
    assert iou([0, 0, 10, 10], [2, 2, 4, 4]) == pytest.approx(0.04)


def test_iou_zero_cases():
    assert iou([0, 0, 10, 10], [20, 20, 30, 30]) == 0.0   # disjoint
    assert iou([0, 0, 10, 10], [10, 0, 20, 10]) == 0.0    # touching edge
    assert iou([5, 5, 5, 9], [0, 0, 10, 10]) == 0.0       # zero width
    assert iou([5, 5, 5, 5], [5, 5, 5, 5]) == 0.0         # two points
    assert iou([10, 10, 0, 0], [0, 0, 10, 10]) == 0.0     # inverted box counts as empty
    with pytest.raises(ValueError, match="4 numbers"):
        iou([0, 0, 1], [0, 0, 1, 1])


def test_norm1000_accepts_numpy_scalars():
    import numpy as np
    assert to_norm1000_box(np.array([64, 48, 320, 240]), 640, 480) == [100, 100, 500, 500]
    assert to_norm1000(np.float32(3.5), 640) == 5  # 5.47 + 0.5 -> 5
    assert from_norm1000_box(np.array([100, 100, 500, 500]), 640, 480) == [64.0, 48.0, 320.0, 240.0]
