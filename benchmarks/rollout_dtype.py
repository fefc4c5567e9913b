"""Rollout engines in bfloat16 against float32 (`rollout.dtype`): generation speed, and how far the
sampling log-probs land from the learner's own (the PPO ratio's old log-probs come from the engine).

    python benchmarks/rollout_dtype.py [--model DIR] [--prompts 4] [--n 8] [--max-tokens 64] [--repeats 5]

Two RolloutGroups in one local Ray cluster, one worker each (one core, OpenMP 1 thread, as in the
recipe), the same prompts (the first --prompts train items of a generated shapes-world suite, count /
choice / grounding / math), EOS disabled so that every sample is --max-tokens long. The calls
alternate (float32, bfloat16, float32, ...) after a warm-up; seconds are medians over --repeats.
Then the learner's policy forward (rl/passes.py, bf16 autocast and prefix sharing, as `ppo.autocast:
bf16` runs it) re-scores each engine's last samples: mean / max |log-prob difference| and the share of
tokens whose ratio exp(diff) already lies outside the PPO clip range [1 - 0.2, 1 + 0.28].
--model: a local HF VLM directory (e.g. a chain's `sft/model`); default a random `tiny:small`.
Last line: one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
for key, value in {"VLLM_ENABLE_V1_MULTIPROCESSING": "0", "RAY_AUTH_MODE": "disabled",
                   "TOKENIZERS_PARALLELISM": "false"}.items():
    os.environ.setdefault(key, value)

import ray  # noqa: E402
import torch  # noqa: E402

from benchmarks.scratch import scratch_dir  # noqa: E402
from model.tiny import build_tiny  # noqa: E402
from rl.engines import Sampling  # noqa: E402
from rl.learner import to_device  # noqa: E402
from rl.passes import PolicyPass, pass_inputs  # noqa: E402
from rl.rollout import RolloutGroup  # noqa: E402
from rl.schema import RolloutConfig  # noqa: E402
from tasks import generate_suite, load_suite  # noqa: E402

DTYPES = ("float32", "bfloat16")


def logprob_gap(model, processor, rollout) -> dict:
    """The learner's bf16-autocast log-probs of the rollout's tokens against the engine's."""
    inputs = rollout.model_inputs(processor)
    with torch.no_grad():
        ours = PolicyPass(model, "bf16")(**pass_inputs(to_device(inputs, torch.device("cpu"))))[0]
    mask = inputs.response_mask.bool()
    diff = (ours - inputs.old_logprobs)[mask]
    ratio = diff.exp()
    return {"mean_abs": round(diff.abs().mean().item(), 4), "max_abs": round(diff.abs().max().item(), 4),
            "outside_clip": round(((ratio < 0.8) | (ratio > 1.28)).float().mean().item(), 4),
            "tokens": int(mask.sum())}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="a local HF VLM directory (default: a random tiny:small)")
    ap.add_argument("--prompts", type=int, default=4)
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    work = scratch_dir("vlrl-bench-dtype-")
    model_dir = args.model or str(build_tiny("small", seed=0, cache_dir=work / "models"))
    generate_suite(work / "suite", tasks=["count", "choice", "grounding", "math"], n_train=args.prompts,
                   n_heldout=1, seed=0)
    pool = load_suite(work / "suite", "train")
    items = [pool[(i % 4) * args.prompts + i // 4] for i in range(args.prompts)]
    import benchmarks.rl_step as rl_step
    from model.load import load_vlm

    ray.cloudpickle.register_pickle_by_value(rl_step)   # its ban_tokens runs in the rollout actors
    model, processor = load_vlm(model_dir, dtype=torch.float32, device=torch.device("cpu"))
    model.eval()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    groups = {}
    try:
        for dtype in DTYPES:
            config = RolloutConfig(n=args.n, max_tokens=args.max_tokens, dtype=dtype)
            groups[dtype] = RolloutGroup(model_dir, config)
            ray.get([w.__ray_call__.remote(rl_step.ban_tokens, rl_step.eos_ids(model_dir))
                     for w in groups[dtype].workers])
        sampling = Sampling(temperature=1.0, max_tokens=args.max_tokens)
        seconds = {d: [] for d in DTYPES}
        last = {}
        for _ in range(args.repeats + 1):
            for dtype, group in groups.items():
                start = time.perf_counter()
                last[dtype] = group.generate(items, sampling=sampling)
                seconds[dtype].append(time.perf_counter() - start)
    finally:
        for group in groups.values():
            group.close()
        ray.shutdown()
    med = {d: statistics.median(s[1:]) for d, s in seconds.items()}
    tokens = {d: int(r.response_lengths.sum()) for d, r in last.items()}
    out = {f"{d}_tokens_per_s": round(tokens[d] / med[d], 1) for d in DTYPES}
    out["ratio"] = round(med["float32"] / med["bfloat16"], 3)
    out["seconds"] = {d: round(med[d], 3) for d in DTYPES}
    out["logprob_gap_vs_learner_bf16"] = {d: logprob_gap(model, processor, r) for d, r in last.items()}
    out["config"] = {"model": args.model or "tiny:small (random)", "prompts": args.prompts, "n": args.n,
                     "max_tokens": args.max_tokens, "repeats": args.repeats, "tokens_per_call": tokens}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
