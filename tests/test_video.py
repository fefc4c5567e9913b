import math

import pytest
from PIL import Image

from model.video import (
    FPS_BY_KIND, LONG_SIDES, count_tokens, fps_for, frame_size, interleave_prompt, plan_video,
    sample_frames, timestamp_text,
)

# A 480 (tall) x 640 (wide) video.  Frame size per candidate longest side L:
#   long = largest multiple of 28 <= L ; short = nearest multiple of 28 to 480 * long / 640 (halves up)
#   L=640: long 616, short 462 -> 16.5 -> 17*28 = 476 ; tokens (476/14)*(616/14)/4 = 34*44/4 = 374
#   L=512: long 504, short 378 -> 13.5 -> 14*28 = 392 ; tokens 28*36/4 = 252
#   L=384: long 364, short 273 -> 9.75 -> 10*28 = 280 ; tokens 20*26/4 = 130
#   L=256: long 252, short 189 -> 6.75 -> 7*28 = 196  ; tokens 14*18/4 = 63
#   L=160: long 140, short 105 -> 3.75 -> 4*28 = 112  ; tokens 8*10/4 = 20
#   L=128: long 112, short 84 -> 3*28 = 84            ; tokens 6*8/4 = 12
SIZES = {640: (476, 616), 512: (392, 504), 384: (280, 364), 256: (196, 252), 160: (112, 140), 128: (84, 112)}
TOKENS = {640: 374, 512: 252, 384: 130, 256: 63, 160: 20, 128: 12}


def test_fps_by_kind():
    assert FPS_BY_KIND == {"default": 1.0, "temporal": 2.0, "motion": 5.0}
    assert fps_for("default") == 1.0
    assert fps_for(None) == 1.0
    assert fps_for("temporal") == 2.0
    assert fps_for("motion") == 5.0
    with pytest.raises(ValueError, match="unknown video task kind 'temporel'"):
        fps_for("temporel")


def test_timestamp_text():
    assert timestamp_text(0) == "[0.0 second]"
    assert timestamp_text(1.5) == "[1.5 second]"
    assert timestamp_text(12) == "[12.0 second]"
    assert timestamp_text(3 * 0.2) == "[0.6 second]"  # 0.6000000000000001
    for bad in (-0.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="timestamp"):
            timestamp_text(bad)


def test_frame_sizes_landscape_table():
    assert LONG_SIDES == (640, 512, 384, 256, 160, 128)
    for side in LONG_SIDES:
        h, w = frame_size(480, 640, side)
        assert (h, w) == SIZES[side]
        assert max(h, w) <= side and h % 28 == 0 and w % 28 == 0
        assert count_tokens(1, h, w) == TOKENS[side]


def test_frame_size_portrait_small_and_thin():
    assert frame_size(640, 480, 640) == (616, 476)      # portrait: same numbers, swapped
    # 100 x 100 is never upscaled: long = floor(100 / 28) * 28 = 84 for every L
    assert {frame_size(100, 100, s) for s in LONG_SIDES} == {(84, 84)}
    # 100 x 2000 at 640: long 616, short 100 * 616 / 2000 = 30.8 -> 1.1 -> 1 * 28 = 28
    assert frame_size(100, 2000, 640) == (28, 616)


def test_default_kind_ten_seconds():
    # 10 s at 1 fps -> frames at t = 0..9; native index = t * 30.  10 * 374 = 3740 <= 16384 -> 640.
    p = plan_video(10, 30, 480, 640)
    assert p.num_frames == 10
    assert p.timestamps == [float(t) for t in range(10)]
    assert p.frame_indices == [30 * t for t in range(10)]
    assert p.timestamp_texts()[:2] == ["[0.0 second]", "[1.0 second]"]
    assert (p.long_side, p.frame_size, p.tokens_per_frame, p.total_tokens) == (640, (476, 616), 374, 3740)
    assert p.fps == 1.0 and p.subsampled is False


@pytest.mark.parametrize("budget, side", [
    (3740, 640),   # 10 * 374 = 3740 fits exactly
    (3739, 512),   # 640 needs 3740; 512 needs 10 * 252 = 2520
    (2520, 512),
    (2519, 384),   # 384 needs 10 * 130 = 1300
    (1299, 256),   # 256 needs 630
    (629, 160),    # 160 needs 200
    (199, 128),    # 128 needs 120
    (120, 128),    # exactly fits, nothing dropped
])
def test_chosen_side_is_largest_that_fits(budget, side):
    p = plan_video(10, 30, 480, 640, max_tokens=budget)
    assert p.long_side == side
    assert p.frame_size == SIZES[side]
    assert p.total_tokens == 10 * TOKENS[side] <= budget
    assert p.num_frames == 10 and not p.subsampled


def test_subsample_when_128_does_not_fit():
    # 10 frames at 128 need 120 > 50; 50 // 12 = 4 frames fit (48 tokens).
    # kept positions (j * 10) // 4 = 0, 2, 5, 7 -> native 0, 60, 150, 210 at 30 fps.
    p = plan_video(10, 30, 480, 640, max_tokens=50)
    assert p.subsampled is True
    assert p.long_side == 128 and p.frame_size == (84, 112)
    assert p.frame_indices == [0, 60, 150, 210]
    assert p.timestamps == [0.0, 2.0, 5.0, 7.0]
    assert p.total_tokens == 48
    # one frame exactly: max_tokens 12 -> [0]
    p1 = plan_video(10, 30, 480, 640, max_tokens=12)
    assert p1.frame_indices == [0] and p1.total_tokens == 12


def test_subsample_long_video():
    # 60 s -> 60 frames; at 128: 720 tokens > 100; 100 // 12 = 8 frames (96 tokens).
    # positions (j * 60) // 8 = 0, 7, 15, 22, 30, 37, 45, 52 ; native = 30 * t.
    p = plan_video(60, 30, 480, 640, max_tokens=100)
    assert p.timestamps == [0.0, 7.0, 15.0, 22.0, 30.0, 37.0, 45.0, 52.0]
    assert p.frame_indices == [0, 210, 450, 660, 900, 1110, 1350, 1560]
    assert p.total_tokens == 96 and p.subsampled


def test_budget_below_one_frame_raises():
    with pytest.raises(ValueError, match="max_tokens=11 is smaller than one 84x112 frame.*12 tokens"):
        plan_video(10, 30, 480, 640, max_tokens=11)


def test_temporal_kind_two_fps():
    # 10 s at 2 fps -> 20 frames at t = 0, 0.5, ..., 9.5 ; native index = 15 * i ; 20 * 374 = 7480 fits 640
    p = plan_video(10, 30, 480, 640, kind="temporal")
    assert p.fps == 2.0 and p.num_frames == 20
    assert p.timestamps[:4] == [0.0, 0.5, 1.0, 1.5] and p.timestamps[-1] == 9.5
    assert p.frame_indices == [15 * i for i in range(20)]
    assert p.timestamp_texts()[1] == "[0.5 second]"
    assert (p.long_side, p.total_tokens) == (640, 7480)


def test_motion_kind_five_fps():
    # 10 s at 5 fps -> 50 frames, native index 6 * i ; 640 needs 50 * 374 = 18700 > 16384,
    # 512 needs 50 * 252 = 12600 -> 512
    p = plan_video(10, 30, 480, 640, kind="motion")
    assert p.fps == 5.0 and p.num_frames == 50
    assert p.timestamps[:4] == [0.0, 0.2, 0.4, 0.6]
    assert p.frame_indices[:4] == [0, 6, 12, 18] and p.frame_indices[-1] == 294
    assert (p.long_side, p.total_tokens) == (512, 12600)


def test_fps_never_above_native():
    # a 2 fps video asked for motion (5 fps) is sampled at 2 fps: 5 s -> 10 frames, every native frame
    p = plan_video(5, 2, 480, 640, kind="motion")
    assert p.fps == 2.0
    assert p.frame_indices == list(range(10))


def test_frame_counts_and_native_indices():
    assert plan_video(10.5, 30, 480, 640).num_frames == 11    # t = 0..10 < 10.5
    assert plan_video(0.3, 30, 480, 640).frame_indices == [0]  # shorter than a second: one frame
    assert plan_video(0.1 * 3 * 10, 30, 480, 640).num_frames == 3  # 3.0000000000000004 s -> 3, not 4
    # 29.97 fps: floor(0), floor(29.97), floor(59.94)
    assert plan_video(3, 29.97, 480, 640).frame_indices == [0, 29, 59]


def test_temporal_patch_halves_vision_tokens():
    # temporal_patch=2: 10 frames -> 5 groups * 374 = 1870 <= 2000 -> 640 ; with 1: 3740, 2520 too big -> 384
    assert plan_video(10, 30, 480, 640, max_tokens=2000, temporal_patch=2).long_side == 640
    assert plan_video(10, 30, 480, 640, max_tokens=2000, temporal_patch=2).total_tokens == 1870
    assert plan_video(10, 30, 480, 640, max_tokens=2000).long_side == 384
    # odd count: 11 frames -> ceil(11 / 2) = 6 groups * 374 = 2244
    assert count_tokens(11, 476, 616, temporal_patch=2) == 2244


def test_timestamp_tokens_are_charged():
    # 640 with 5 tokens per timestamp: 3740 + 50 = 3790 > 3789 -> 512: 2520 + 50 = 2570
    p = plan_video(10, 30, 480, 640, max_tokens=3789, timestamp_tokens=5)
    assert (p.long_side, p.total_tokens) == (512, 2570)
    # at 128 each frame costs 12 + 5 = 17: 50 // 17 = 2 frames, positions (j * 10) // 2 = 0, 5
    p = plan_video(10, 30, 480, 640, max_tokens=50, timestamp_tokens=5)
    assert p.timestamps == [0.0, 5.0] and p.total_tokens == 34


@pytest.mark.parametrize("kwargs, msg", [
    (dict(duration_s=0), "duration"),
    (dict(duration_s=-3), "duration"),
    (dict(native_fps=0), "native fps"),
    (dict(native_fps=-30), "native fps"),
    (dict(height=0), "positive"),
    (dict(kind="slowmo"), "unknown video task kind"),
    (dict(temporal_patch=0), "temporal_patch"),
    (dict(timestamp_tokens=-1), "timestamp_tokens"),
])
def test_plan_video_errors(kwargs, msg):
    args = dict(duration_s=10, native_fps=30, height=480, width=640)
    args.update(kwargs)
    with pytest.raises(ValueError, match=msg):
        plan_video(**args)


def _frames(n, w=320, h=240):
    # frame i is filled with grey level i, so a picked frame tells its native index
    return [Image.new("L", (w, h), color=i) for i in range(n)]


def test_sample_frames():
    # 40 frames at 4 fps = 10 s. 240 x 320 at 640: long min(640, 320) -> 308, short 231 -> 8.25 -> 224
    # (never upscaled); 10 frames * (16 * 22 / 4 = 88) = 880 tokens.
    frames, texts, plan = sample_frames(_frames(40), 4, "default")
    assert [f.getpixel((0, 0)) for f in frames] == [0, 4, 8, 12, 16, 20, 24, 28, 32, 36]
    assert all(f.size == (308, 224) for f in frames)  # PIL size is (w, h)
    assert texts == [f"[{t}.0 second]" for t in range(10)]
    assert plan.total_tokens == 880 and plan.long_side == 640


def test_sample_frames_subsampled_and_interleaved():
    # at 128: 240 x 320 -> (84, 112), 12 tokens; budget 50 -> 4 of 10 frames at positions 0, 2, 5, 7
    # -> native 0, 8, 20, 28 at 4 fps
    frames, texts, plan = sample_frames(_frames(40), 4, max_tokens=50)
    assert [f.getpixel((0, 0)) for f in frames] == [0, 8, 20, 28]
    assert texts == ["[0.0 second]", "[2.0 second]", "[5.0 second]", "[7.0 second]"]
    assert plan.subsampled and frames[0].size == (112, 84)
    content = interleave_prompt(frames, texts)
    assert len(content) == 8
    assert content[0] == {"type": "text", "text": "[0.0 second]"}
    assert content[1] == {"type": "image", "image": frames[0]}
    assert content[6]["text"] == "[7.0 second]" and content[7]["image"] is frames[3]


def test_sample_frames_motion_kind():
    # 10 frames at 10 fps = 1 s; motion -> 5 fps -> t = 0, 0.2, ..., 0.8 -> native 0, 2, 4, 6, 8
    frames, texts, plan = sample_frames(_frames(10, 64, 48), 10, "motion")
    assert [f.getpixel((0, 0)) for f in frames] == [0, 2, 4, 6, 8]
    assert texts == ["[0.0 second]", "[0.2 second]", "[0.4 second]", "[0.6 second]", "[0.8 second]"]


def test_sample_frames_errors():
    with pytest.raises(ValueError, match="at least one frame"):
        sample_frames([], 30)
    with pytest.raises(ValueError, match="native fps"):
        sample_frames(_frames(2), 0)
    with pytest.raises(ValueError, match="smaller than one"):
        sample_frames(_frames(2), 1, max_tokens=1)


def test_interleave_prompt_formats_floats_and_checks_lengths():
    imgs = _frames(2, 28, 28)
    content = interleave_prompt(imgs, [0.0, 1.5])
    assert [c["type"] for c in content] == ["text", "image", "text", "image"]
    assert content[2]["text"] == "[1.5 second]"
    with pytest.raises(ValueError, match="2 frames but 1 timestamps"):
        interleave_prompt(imgs, [0.0])
    assert math.isclose(plan_video(1, 1, 28, 28).timestamps[0], 0.0)
