"""SFT steps (sft/trainer.py) with and without the CPU fast paths, bf16 autocast and float32, runs
interleaved in one process.

Four kinds, each its own fresh copy of the tiny model: `fast_bf16` and `fast_fp32` as the trainer
runs now (the patch embedding as a matmul, model/load.py `patch_embed_as_matmul`; eager attention
under bf16 on CPU, `training_attention`), `conv_bf16` and `conv_fp32` as before (transformers'
Conv3d patch embedding, SDPA attention). A repeat is `--steps` SFT steps of the `perceive` stage's
kind (one-word visual questions, batch 16, lr 3e-4, vision 0.1x); the first repeat of each kind is a
warm-up. Last line: one JSON object: seconds per step of each kind (median over repeats) and the
ratios `fast_bf16_vs_conv_bf16`, `fast_fp32_vs_conv_fp32`, `fast_bf16_vs_fast_fp32` (old time over
new: above 1 means faster).

    python benchmarks/sft_step.py [--preset small] [--steps 8] [--repeats 3] [--batch 16] [--threads 2]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from benchmarks.scratch import scratch_dir  # noqa: E402
from model.load import load_vlm  # noqa: E402
from model.tiny import build_tiny  # noqa: E402
from sft.trainer import SFTSettings, train_sft  # noqa: E402
from tasks.vqa import vqa_pairs  # noqa: E402

KINDS = {"fast_bf16": ("bf16", True), "conv_bf16": ("bf16", False),
         "fast_fp32": (None, True), "conv_fp32": (None, False)}


def as_before(model) -> None:
    """Back to transformers' own patch embedding (the Conv3d) and SDPA attention."""
    for module in model.modules():
        module.__dict__.pop("forward", None)   # patch_embed_as_matmul set it on the instance
    model.set_attn_implementation("sdpa")


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", default="small")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    work = scratch_dir("sft_step_")
    model_dir = build_tiny(args.preset, seed=0, cache_dir=work / "models")
    pairs = vqa_pairs(work / "vqa", args.steps * args.batch)
    models = {}
    for kind, (_, fast) in KINDS.items():
        model, processor = load_vlm(model_dir)
        if not fast:
            as_before(model)
        models[kind] = model
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    for _ in range(args.repeats + 1):
        for kind, (autocast, fast) in KINDS.items():
            settings = SFTSettings(steps=args.steps, batch_size=args.batch, lr=3e-4, vision_lr_mult=0.1,
                                   warmup_steps=1, autocast=autocast, attention="auto" if fast else None)
            start = time.perf_counter()
            train_sft(models[kind], processor, pairs, settings)
            times[kind].append((time.perf_counter() - start) / args.steps)
    med = {k: statistics.median(v[1:]) for k, v in times.items()}
    out = {**{f"{k}_s_per_step": round(v, 3) for k, v in med.items()},
           "fast_bf16_vs_conv_bf16": round(med["conv_bf16"] / med["fast_bf16"], 2),
           "fast_fp32_vs_conv_fp32": round(med["conv_fp32"] / med["fast_fp32"], 2),
           "fast_bf16_vs_fast_fp32": round(med["fast_fp32"] / med["fast_bf16"], 2),
           "cpu_capability": torch.backends.cpu.get_cpu_capability(),
           "config": vars(args)}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
