"""Video frame sampler of the Seed1.5-VL report (pure Python + Pillow, no model needed).

1. Frames are sampled at a fixed rate per task kind: 1 fps by default, 2 fps for "temporal",
   5 fps for "motion" (never faster than the video itself: fps used = min(fps_for(kind), native_fps)).
   Sampled frame i is shown at t_i = i / fps for every t_i < duration, i.e. ceil(duration * fps)
   frames (at least 1), and is native frame floor(t_i * native_fps) (clamped to the last frame).
2. Every frame of a video gets the same size. For each longest side L in (640, 512, 384, 256, 160, 128),
   largest first, the frame size is: long side = largest multiple of 28 <= min(L, native long side)
   (videos are never upscaled), short side = nearest multiple of 28 (halves up) to
   short * long' / long, kept in [28, long']. The first L whose total token count fits `max_tokens`
   is chosen.
3. If even L = 128 does not fit, the sampled frames are subsampled uniformly to the largest count k
   that fits at 128: kept positions (j * n) // k for j = 0..k-1 (the first frame is always kept);
   they keep their original timestamps.
4. A timestamp text such as "[1.5 second]" precedes each frame (`timestamp_text`, `interleave_prompt`).

Token count of a plan with n frames of size h x w:
    total = ceil(n / temporal_patch) * (h / 14) * (w / 14) / 4 + n * timestamp_tokens
  - temporal_patch: how many consecutive frames the vision encoder merges into one token group.
    1 (default) counts each frame as a separate image, as Seed-ViT does; Qwen2-VL / Qwen2.5-VL
    merge 2 frames temporally, so pass 2 to budget for those models.
  - timestamp_tokens: text tokens charged per timestamp; 0 by default (the budget is then pure
    vision tokens). With a tokenizer at hand pass len(tokenizer(timestamp_text(t)).input_ids), ~6.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

from PIL import Image

from model.vision import FACTOR, num_image_tokens

FPS_BY_KIND = {"default": 1.0, "temporal": 2.0, "motion": 5.0}
LONG_SIDES = (640, 512, 384, 256, 160, 128)
DEFAULT_MAX_TOKENS = 16384

_EPS = 1e-6  # float noise in duration * fps, e.g. 0.3 * 10 = 3.0000000000000004


def fps_for(kind: str | None = "default") -> float:
    """Sampling rate for a task kind: FPS_BY_KIND[kind]; None means "default". Unknown kind -> ValueError."""
    key = "default" if kind is None else kind
    if key not in FPS_BY_KIND:
        raise ValueError(f"unknown video task kind {kind!r}; known kinds: {sorted(FPS_BY_KIND)}")
    return FPS_BY_KIND[key]


def timestamp_text(t: float) -> str:
    """Timestamp shown before a frame, one decimal: 0 -> "[0.0 second]", 1.5 -> "[1.5 second]"."""
    if not (t >= 0 and math.isfinite(t)):
        raise ValueError(f"timestamp must be a finite number >= 0 seconds, got {t!r}")
    return f"[{t:.1f} second]"


def frame_size(height: int, width: int, long_side: int, factor: int = FACTOR) -> tuple[int, int]:
    """(h, w) of a frame for one candidate longest side (rule 2 of the module docstring).

    480 x 640 at 640 -> long 616, short 480 * 616 / 640 = 462 -> 476: (476, 616).
    """
    if not (height > 0 and width > 0):
        raise ValueError(f"video height and width must be positive, got {height} x {width}")
    if long_side < factor:
        raise ValueError(f"long_side {long_side} is below the factor {factor}")
    long, short = max(height, width), min(height, width)
    new_long = max(factor, math.floor(Fraction(min(long_side, long)) / factor) * factor)
    new_short = math.floor(Fraction(short) * new_long / Fraction(long) / factor + Fraction(1, 2)) * factor
    new_short = min(new_long, max(factor, new_short))
    return (new_long, new_short) if height >= width else (new_short, new_long)


def count_tokens(n_frames: int, h: int, w: int, temporal_patch: int = 1, timestamp_tokens: int = 0) -> int:
    """ceil(n_frames / temporal_patch) * num_image_tokens(h, w) + n_frames * timestamp_tokens."""
    return -(-n_frames // temporal_patch) * num_image_tokens(h, w) + n_frames * timestamp_tokens


@dataclass
class VideoPlan:
    frame_indices: list[int]     # indices into the native video's frames
    timestamps: list[float]      # seconds, one per kept frame
    frame_size: tuple[int, int]  # (h, w) of every frame, multiples of 28
    tokens_per_frame: int        # vision tokens of one frame image (one temporal group)
    total_tokens: int            # as in the module docstring, <= max_tokens
    long_side: int               # the chosen candidate from LONG_SIDES
    fps: float                   # sampling rate used (before any subsampling)
    subsampled: bool             # True if frames were dropped to fit at 128

    @property
    def num_frames(self) -> int:
        return len(self.frame_indices)

    def timestamp_texts(self) -> list[str]:
        return [timestamp_text(t) for t in self.timestamps]


def plan_video(duration_s: float, native_fps: float, height: int, width: int, kind: str = "default",
               max_tokens: int = DEFAULT_MAX_TOKENS, *, temporal_patch: int = 1,
               timestamp_tokens: int = 0, num_native_frames: int | None = None) -> VideoPlan:
    """Which frames to take, at what size, under a token budget (see the module docstring).

    num_native_frames defaults to ceil(duration_s * native_fps). Raises ValueError for
    duration <= 0, native_fps <= 0, bad sizes, an unknown kind, temporal_patch < 1,
    timestamp_tokens < 0, or a max_tokens smaller than one frame at longest side 128.
    """
    if not (duration_s > 0 and math.isfinite(duration_s)):
        raise ValueError(f"video duration must be > 0 seconds, got {duration_s!r}")
    if not (native_fps > 0 and math.isfinite(native_fps)):
        raise ValueError(f"native fps must be > 0, got {native_fps!r}")
    if not (height > 0 and width > 0):
        raise ValueError(f"video height and width must be positive, got {height} x {width}")
    if temporal_patch < 1:
        raise ValueError(f"temporal_patch must be >= 1, got {temporal_patch}")
    if timestamp_tokens < 0:
        raise ValueError(f"timestamp_tokens must be >= 0, got {timestamp_tokens}")
    fps = min(fps_for(kind), float(native_fps))
    if num_native_frames is None:
        num_native_frames = max(1, math.ceil(duration_s * native_fps - _EPS))
    n = max(1, math.ceil(duration_s * fps - _EPS))
    timestamps = [i / fps for i in range(n)]
    indices = [min(num_native_frames - 1, math.floor(i * native_fps / fps + _EPS)) for i in range(n)]

    for side in LONG_SIDES:
        h, w = frame_size(height, width, side)
        total = count_tokens(n, h, w, temporal_patch, timestamp_tokens)
        if total <= max_tokens:
            return VideoPlan(indices, timestamps, (h, w), num_image_tokens(h, w), total, side, fps, False)

    # Even 128 does not fit: keep the largest k frames that fit, uniformly spaced, first one kept.
    side = LONG_SIDES[-1]
    h, w = frame_size(height, width, side)
    k = n - 1
    while k >= 1 and count_tokens(k, h, w, temporal_patch, timestamp_tokens) > max_tokens:
        k -= 1
    if k < 1:
        need = count_tokens(1, h, w, temporal_patch, timestamp_tokens)
        raise ValueError(f"max_tokens={max_tokens} is smaller than one {h}x{w} frame at longest side "
                         f"{side}, which needs {need} tokens")
    keep = [(j * n) // k for j in range(k)]
    return VideoPlan([indices[p] for p in keep], [timestamps[p] for p in keep], (h, w),
                     num_image_tokens(h, w), count_tokens(k, h, w, temporal_patch, timestamp_tokens),
                     side, fps, True)


def sample_frames(frames: Sequence[Image.Image], native_fps: float, kind: str = "default",
                  max_tokens: int = DEFAULT_MAX_TOKENS, **plan_kwargs
                  ) -> tuple[list[Image.Image], list[str], VideoPlan]:
    """Pick and resize frames of a decoded video (all frames the size of the first).

    duration = len(frames) / native_fps. Returns (resized frames, their timestamp texts, the plan).
    Extra keyword arguments (temporal_patch, timestamp_tokens) go to `plan_video`.
    """
    if len(frames) == 0:
        raise ValueError("a video needs at least one frame")
    if not (native_fps > 0):
        raise ValueError(f"native fps must be > 0, got {native_fps!r}")
    width, height = frames[0].size
    plan = plan_video(len(frames) / native_fps, native_fps, height, width, kind, max_tokens,
                      num_native_frames=len(frames), **plan_kwargs)
    h, w = plan.frame_size
    out = []
    for i in plan.frame_indices:
        img = frames[i]
        out.append(img if img.size == (w, h) else img.resize((w, h), Image.Resampling.BICUBIC))
    return out, plan.timestamp_texts(), plan


def interleave_prompt(frames: Sequence[Image.Image], timestamps: Sequence[float | str]) -> list[dict]:
    """Chat-message content: [{"type": "text", "text": "[0.0 second]"}, {"type": "image", "image": f0}, ...].

    timestamps are seconds (formatted with `timestamp_text`) or ready-made strings.
    """
    if len(frames) != len(timestamps):
        raise ValueError(f"{len(frames)} frames but {len(timestamps)} timestamps")
    content = []
    for img, t in zip(frames, timestamps):
        content.append({"type": "text", "text": t if isinstance(t, str) else timestamp_text(t)})
        content.append({"type": "image", "image": img})
    return content
