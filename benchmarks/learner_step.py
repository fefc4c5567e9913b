"""The learner's PPO step alone, two settings in the same process, runs interleaved:
`--compare share` (default): the vision tower shared across a prompt's samples
(model/shared_images.py) vs not, both without prefix sharing; `--compare prefix`: each prompt
computed once for its samples (`ppo.share_prefix`, model/prefix.py) vs full forwards, both bf16;
`--compare autocast`: bf16 autocast (`ppo.autocast: bf16`) vs float32, both with prefix sharing;
`--compare fsdp`: one learner rank under FSDP (rl/distributed.py: NCCL on a GPU, gloo on CPU) vs the
plain learner, both bf16 (what FSDP's gathers and reductions cost on one device); `--compare values`:
the critic's values taken from its first update pass (`ppo.values_in_update`) vs a no-grad forward
of their own; `--compare attention`: eager attention (`ppo.attention: eager`) vs SDPA. Unless a
comparison is about it, both kinds use the PPOConfig defaults (values in the update, eager).

    python benchmarks/learner_step.py [--compare share|prefix|autocast|fsdp|values|attention] [--preset small] [--prompts 8]
                                      [--n 8] [--tokens 64] [--repeats 5] [--threads 2]

A batch like the default recipe's RL step: --prompts shapes-world items (count, choice, grounding,
math, cycling) x --n samples each, responses of --tokens random text tokens, their sampling
log-probs taken from the policy itself (ratio 1 at the start, as after a rollout). Each repeat is
one `Learner.step` (reference log-probs, critic values, GAE, PPO minibatches on policy and critic)
on a fresh learner state of each kind; the first repeat of each is a warm-up. Runs on CUDA when
torch sees a GPU. Last line: one JSON object: `<kind>_samples_per_s` for both kinds, `ratio` (the
second kind's step time over the first's), and each kind's median `clip_frac` (PPO ratios start at 1
against float32 log-probs, so bf16 rounding shows up there).
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
from model.prompts import load_images, prompt_text  # noqa: E402
from model.tiny import build_tiny  # noqa: E402
from rl.batch import Rollout, token_logprobs  # noqa: E402
from rl.learner import Learner, StepInputs, to_device  # noqa: E402
from rl.schema import ModelConfig, PPOConfig  # noqa: E402
from tasks import generate_suite, load_suite  # noqa: E402


def make_rollout(processor, items: list, n: int, tokens: int, seed: int = 0) -> Rollout:
    gen = torch.Generator().manual_seed(seed)
    tok = processor.tokenizer
    specials = set(tok.all_special_ids) | {tok.convert_tokens_to_ids(processor.image_token)}
    vocab = torch.tensor([i for i in range(len(tok)) if i not in specials])
    fields = {k: [] for k in ("sample_ids", "tasks", "prompt_ids", "response_ids", "logprobs", "texts",
                              "finish_reasons")}
    group = []
    for g, item in enumerate(items):
        ids = processor(text=[prompt_text(processor, item)], images=load_images(item) or None,
                        return_tensors="pt")["input_ids"][0]
        for k in range(n):
            resp = vocab[torch.randint(len(vocab), (tokens,), generator=gen)]
            group.append(g)
            fields["sample_ids"].append(f"{item.id}#{k}")
            fields["tasks"].append(item.task)
            fields["prompt_ids"].append(ids)
            fields["response_ids"].append(resp)
            fields["logprobs"].append(torch.zeros(tokens))
            fields["texts"].append(tok.decode(resp))
            fields["finish_reasons"].append("length")
    return Rollout(items=items, group=torch.tensor(group), **fields)


def with_policy_logprobs(learner: Learner, rollout: Rollout) -> Rollout:
    """The rollout with its sampling log-probs replaced by the policy's own (ratio 1)."""
    with torch.no_grad():
        inputs = rollout.model_inputs(learner.processor)
        lp = token_logprobs(learner.policy, to_device(inputs, learner.device)).cpu()
    mask = inputs.response_mask.bool()
    rollout.logprobs = [lp[b][mask[b]] for b in range(len(rollout))]
    return rollout


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--compare", choices=["share", "prefix", "autocast", "fsdp", "values", "attention"], default="share")
    ap.add_argument("--preset", default="small")
    ap.add_argument("--prompts", type=int, default=8)
    ap.add_argument("--n", type=int, default=8)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    return ap.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    work = scratch_dir("learner_step_")
    model_dir = str(build_tiny(args.preset, seed=0, cache_dir=work / "models"))
    tasks = ["count", "choice", "grounding", "math"]
    generate_suite(work / "data", tasks=tasks, n_train=args.prompts, n_heldout=1)
    pool = load_suite(work / "data", "train")
    items = [pool[(i % len(tasks)) * args.prompts + i // len(tasks)] for i in range(args.prompts)]
    model_cfg = ModelConfig(path=model_dir)
    kinds = {"share": {"shared": {"share_prefix": False}, "unshared": {"share_images": False, "share_prefix": False}},
             "prefix": {"prefix": {"autocast": "bf16"}, "full": {"autocast": "bf16", "share_prefix": False}},
             "autocast": {"bf16": {"autocast": "bf16"}, "fp32": {}},
             "fsdp": {"fsdp": {"autocast": "bf16"}, "plain": {"autocast": "bf16"}},
             "values": {"in_update": {"autocast": "bf16"}, "forward": {"autocast": "bf16", "values_in_update": False}},
             "attention": {"eager": {"autocast": "bf16", "attention": "eager"}, "sdpa": {"autocast": "bf16", "attention": "sdpa"}}}[args.compare]
    learners = {kind: Learner(model_dir, PPOConfig(minibatches=2, micro_batch_size=32, **kw), model_cfg, seed=0,
                              fsdp=kind == "fsdp")
                for kind, kw in kinds.items()}
    if "fsdp" in learners:   # one rank: FSDP's machinery (sharding, gathers, DTensor state) without the split
        from rl.distributed import free_address
        learners["fsdp"].join(free_address(), 0)
    first, second = list(kinds)
    rollout = with_policy_logprobs(learners[second], make_rollout(learners[second].processor, items,
                                                                  args.n, args.tokens))
    b = len(rollout)
    step_in = StepInputs(torch.randn(b, generator=torch.Generator().manual_seed(1)), torch.full((b,), 0.02))
    times: dict[str, list[float]] = {k: [] for k in learners}
    clip: dict[str, list[float]] = {k: [] for k in learners}
    for _ in range(args.repeats + 1):
        for kind, learner in learners.items():
            if learner.device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            clip[kind].append(learner.step(rollout, step_in)["clip_frac"])
            if learner.device.type == "cuda":
                torch.cuda.synchronize()
            times[kind].append(time.perf_counter() - start)
    med = {k: statistics.median(v[1:]) for k, v in times.items()}
    out = {f"{first}_samples_per_s": round(b / med[first], 2),
           f"{second}_samples_per_s": round(b / med[second], 2),
           "ratio": round(med[second] / med[first], 3),
           "clip_frac": {k: round(statistics.median(v[1:]), 4) for k, v in clip.items()},
           "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
           "config": {"compare": args.compare, "preset": args.preset, "prompts": args.prompts, "n": args.n, "tokens": args.tokens,
                      "repeats": args.repeats, "threads": args.threads, "samples": b}}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
