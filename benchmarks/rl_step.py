"""Full RL step throughput: our RL loop (`RLRun.step`) vs TRL's GRPOTrainer, in one process and run.

    python benchmarks/rl_step.py [--quick] [--preset small] [--prompts 8] [--n 8] [--max-tokens 64]
                                 [--steps 3] [--warmup 1] [--allow-eos] [--trl-beta B] [--fp32]
                                 [--estimator grpo,gae]

Defaults: the recipe's model (`small`), group size (n=8) and completion length (64), but 8 prompts
per step instead of the recipe's 16 so that a run (4 steps per side) stays near 2 minutes on the
shared 2-core machine; `--prompts 16` is the recipe's batch (both sides scale ~linearly).
`--quick` is a smoke configuration (preset tiny, 2 prompts x 2 x 16 tokens, ~1 minute).

Both sides train the same random-weight tiny Qwen2-VL (`model/tiny.py`, preset `small` = the
default run's model, fp32, CPU) on the same prompts: items of the shapes-world `count` task with
their images, rendered by `model/prompts.py` (`build_messages`: system line + image + question,
the model's own chat template), so both see the same prompt tokens. Per step both take
`--prompts` prompts x `--n` samples (the group) of `--max-tokens` tokens and score them with our
`count` verifier behind the strict `<think>` format gate (the reward of recipes/hybrid_rl.yaml).

  ours  `RLRun.step` (rl/loop.py) with recipes/hybrid_rl.yaml: vLLM generation in a Ray actor ->
        HybridReward in its Ray actor (verifier process pool) -> learner actor -> in-place weight
        sync into vLLM; value_warmup_steps=0, so every step updates the policy. Once per
        `--estimator`, each its own RLRun, all interleaved with TRL:
          grpo  TRL's algorithm: reference log-probs, group-normalised scores, no critic
                (`ppo.critic` null), one PPO epoch on the policy. Gives `ratio`, the like-for-like figure.
          gae   the recipe's default: the shared critic's values, decoupled GAE, one PPO epoch on
                policy and critic (one more model's forward and backward). Gives `ratio_gae`.
  trl   `trl.GRPOTrainer` (use_vllm=False: transformers `generate`), per_device_train_batch_size =
        prompts x n, num_generations = n, max_completion_length = max_tokens, gradient
        accumulation 1 (one optimiser step per batch of prompts, like ours), beta = --trl-beta
        (default: our recipe's KL coefficient `ppo.kl_coef.default`, so TRL also runs its reference model; TRL's
        own default 0.0 skips it), gradient checkpointing off (TRL turns it on by default to save
        memory; it recomputes activations, so off is TRL's faster setting), bf16=True (the default:
        bf16 autocast on both sides, as the recipe's `ppo.autocast`, and our vLLM engines in bfloat16
        as its `rollout.dtype`; `--fp32`: fp32 on both), use_cpu, no logging, no saving.

Fixed-length completions: a random model rarely emits EOS, but to make the token count identical
both sides have EOS disabled (default; `--allow-eos` keeps it): ours gets a -100 logit bias on the
EOS ids in the rollout worker's vLLM engine (the same mechanism that bans image placeholders), TRL
gets them in `generation_kwargs["suppress_tokens"]` (with the image/video placeholders, which TRL
alone would not fully ban). Generated tokens per step are reported for both sides either way.

Interleaving: TRL's training loop drives the run; a TrainerCallback runs one step of each of ours
after each TRL step (TRL step i, ours (grpo) step i, ours (gae) step i, TRL step i+1, ...), so all
see the same machine load.
TRL's step time runs from the end of the previous callback (after ours returned) to its
`on_step_end`: batch fetch + generation + rewards + loss + optimiser step. The first --warmup steps
of each side are excluded; figures are medians over the --steps timed steps. Ray is shut down at
the end. Last line: one JSON object.

Besides samples/s and the ratio it reports per-phase medians (ours: the metrics' time/* keys,
`learn` = `prepare` (reference log-probs + values) + `update` (PPO epoch on policy and critic);
TRL: `generate` = its `_generate`, `rest` = the step minus that), generated tokens per step and
per second, and CPU seconds per step (ours: driver + learner + rollout actors; TRL: the driver
process) and `ratio_cpu` (samples per CPU-second, ours / TRL) -- on a shared machine wall time
varies with the load (CPU time too, but less). `ratio` (wall clock) is the figure of record.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
for key, value in {"VLLM_ENABLE_V1_MULTIPROCESSING": "0", "RAY_AUTH_MODE": "disabled",
                   "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                   "HF_DATASETS_OFFLINE": "1", "WANDB_DISABLED": "true"}.items():
    os.environ.setdefault(key, value)

QUICK = {"preset": "tiny", "prompts": 2, "n": 2, "max_tokens": 16, "steps": 2, "warmup": 1}
DEFAULTS = {"preset": "small", "prompts": 8, "n": 8, "max_tokens": 64, "steps": 3, "warmup": 1}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help=f"tiny smoke configuration: {QUICK}")
    ap.add_argument("--preset", help="tiny model preset (default small, the default run's model)")
    ap.add_argument("--prompts", type=int, help="prompts per step (default 8; the recipe uses 16)")
    ap.add_argument("--n", type=int, help="samples per prompt = TRL num_generations (default 8)")
    ap.add_argument("--max-tokens", type=int, help="completion length (default 64)")
    ap.add_argument("--steps", type=int, help="timed steps per side (default 3)")
    ap.add_argument("--warmup", type=int, help="warm-up steps per side, not timed (default 1)")
    ap.add_argument("--allow-eos", action="store_true", help="let both sides stop at EOS")
    ap.add_argument("--trl-beta", type=float, default=None,
                    help="TRL's KL coefficient (0: no reference model); default: the recipe's ppo.kl_coef.default")
    ap.add_argument("--recipe", default=str(ROOT / "recipes" / "hybrid_rl.yaml"))
    ap.add_argument("--fp32", dest="bf16", action="store_false",
                    help="fp32 on both sides (default: bf16 matmuls on both, as the recipe: ours "
                         "ppo.autocast=bf16 and bf16 engines, TRL bf16=True; weights fp32)")
    ap.add_argument("--bf16", dest="bf16", action="store_true", help="the default (kept for old commands)")
    ap.add_argument("--estimator", default="grpo,gae",
                    help="our advantage estimators, comma-separated, each its own run of ours interleaved "
                         "with TRL; the first gives `ours_samples_per_s` and `ratio` (default grpo,gae: "
                         "GRPO without a critic, TRL's algorithm, then the recipe's PPO with the shared critic)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads of the TRL side (the driver)")
    ap.set_defaults(bf16=True)
    args = ap.parse_args(argv)
    args.estimators = [e.strip() for e in args.estimator.split(",") if e.strip()]
    if not args.estimators or any(e not in ("gae", "grpo", "rloo") for e in args.estimators) \
            or len(set(args.estimators)) != len(args.estimators):
        ap.error(f"--estimator: distinct names among gae, grpo, rloo, got {args.estimator!r}")
    base = QUICK if args.quick else DEFAULTS
    for k, v in base.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    if args.prompts < 1 or args.n < 2 or args.max_tokens < 1 or args.steps < 1 or args.warmup < 0:
        ap.error("need --prompts >= 1, --n >= 2 (a group), --max-tokens >= 1, --steps >= 1, --warmup >= 0")
    return args


# ------------------------------------------------------------------------------------ shared parts
def make_items(recipe, work: Path, count: int) -> list:
    from tasks import generate_suite, load_suite

    suite = work / "suite"
    generate_suite(suite, tasks=["count"], n_train=count, n_heldout=1, seed=recipe.tasks.seed,
                   difficulty=recipe.tasks.difficulty.model_dump(), image_size=recipe.tasks.image_size)
    return load_suite(suite, "train")


def eos_ids(model_dir) -> list[int]:
    from transformers import AutoTokenizer, GenerationConfig

    eos = GenerationConfig.from_pretrained(model_dir, local_files_only=True).eos_token_id
    ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
    ids.add(AutoTokenizer.from_pretrained(model_dir, local_files_only=True).eos_token_id)
    return sorted(ids)


def count_reward_fn(strict: bool = True):
    """Our reward for the count task as a TRL reward function: the `count` verifier behind the
    `<think>` gate (fail -> 0.0), as HybridReward scores it (rewards/hybrid.py)."""
    from rewards.format import check_format
    from verifiers.counting import count

    def count_reward(prompts, completions, answer, **kwargs) -> list[float]:
        out = []
        for completion, gold in zip(completions, answer):
            text = completion[-1]["content"] if isinstance(completion, list) else completion
            text = text if isinstance(text, str) else "".join(p.get("text") or "" for p in text)
            gate = check_format(text, strict)
            verdict = count({"answer": gold}, gate.solution) if gate.ok else None
            out.append(verdict.score if verdict is not None else 0.0)
        return out

    return count_reward


# ------------------------------------------------------------------------------------ ours
def ban_tokens(worker, ids: list[int]) -> None:
    """In the rollout actor: add a -100 logit bias on `ids` (EOS) to its vLLM engine."""
    from rl.engines import BANNED_BIAS

    worker.engine.logit_bias = {**(worker.engine.logit_bias or {}), **{t: BANNED_BIAS for t in ids}}


class Ours:
    def __init__(self, args, recipe, model_dir, items, work: Path, banned: list[int]):
        self.estimator = recipe.ppo.estimator
        import ray

        from rl.loop import RLRun
        from rl.stage_rl import start_ray

        stage = next(s for s in recipe.stages if s.kind == "rl")
        self.stage = stage.model_copy(update={
            "steps": args.warmup + args.steps, "prompts_per_step": args.prompts, "tasks": ["count"],
            "value_warmup_steps": 0, "eval_every": 0, "viewer_every": 0})
        start_ray()
        self.run = RLRun(recipe, self.stage, str(work / f"ours_{self.estimator}"), str(model_dir), items, [])
        if banned:
            ray.get([w.__ray_call__.remote(ban_tokens, banned) for w in self.run.rollouts.workers])
        self.rows: list[dict] = []

    def cpu_s(self) -> float:
        """CPU seconds used so far by the driver, the learner and the rollout actors (all threads)."""
        import ray

        actors = [self.run.learner.actor, *self.run.rollouts.workers]
        return time.process_time() + sum(ray.get([a.__ray_call__.remote(lambda _: time.process_time())
                                                  for a in actors]))

    def step(self, i: int) -> dict:
        cpu0 = self.cpu_s()                 # outside the timed window
        t0 = time.perf_counter()
        out = self.run.step(i)
        wall = time.perf_counter() - t0
        cpu = self.cpu_s() - cpu0
        batch, m = out["batch"], out["metrics"]
        row = {"step": i, "wall_s": wall, "cpu_s": cpu, "samples": len(batch),
               "tokens": int(batch.response_lengths.sum()), "reward": m.get("reward/mean"),
               **{k: v for k, v in m.items() if k.startswith("time/")}}
        self.rows.append(row)
        return row

    def close(self) -> None:
        self.run.close()


# ------------------------------------------------------------------------------------ TRL
def trl_dataset(items):
    from datasets import Dataset

    from model.prompts import build_messages, load_images

    return Dataset.from_list([{"prompt": build_messages(it), "images": load_images(it),
                               "answer": str(it.answer)} for it in items])


def make_trl(args, recipe, model_dir, items, work: Path, banned: list[int], callback, tokens_log: list,
             gen_times: list):
    from transformers import AutoProcessor
    from trl import GRPOConfig, GRPOTrainer

    from model.load import load_vlm

    model, _ = load_vlm(model_dir)   # fp32, every part trainable (as ours)
    processor = AutoProcessor.from_pretrained(model_dir, local_files_only=True, padding_side="left",
                                              truncation_side="left")
    tok = processor.tokenizer
    placeholders = [tok.convert_tokens_to_ids(t) for t in ("<|image_pad|>", "<|video_pad|>")]
    reward = count_reward_fn(recipe.rewards.format.mode == "strict")

    def count(prompts, completions, completion_ids=None, **kw):
        tokens_log.append(sum(len(c) for c in completion_ids) if completion_ids is not None else None)
        return reward(prompts, completions, **kw)

    config = GRPOConfig(
        output_dir=str(work / "trl"), use_vllm=False, use_cpu=True, bf16=args.bf16, fp16=False,
        per_device_train_batch_size=args.prompts * args.n, gradient_accumulation_steps=1,
        num_generations=args.n, max_completion_length=args.max_tokens, max_steps=args.warmup + args.steps,
        temperature=recipe.rollout.temperature, top_p=recipe.rollout.top_p,
        learning_rate=recipe.ppo.lr, beta=args.trl_beta, epsilon=recipe.ppo.eps_low,
        epsilon_high=recipe.ppo.eps_high, max_grad_norm=recipe.ppo.grad_clip,
        gradient_checkpointing=False, report_to="none", logging_strategy="no", save_strategy="no",
        disable_tqdm=True, dataloader_num_workers=0, seed=recipe.seed, remove_unused_columns=False,
        generation_kwargs={"suppress_tokens": placeholders + banned})
    trainer = GRPOTrainer(model=model, reward_funcs=[count], args=config, train_dataset=trl_dataset(items),
                          processing_class=processor, callbacks=[callback])
    generate = trainer._generate   # time TRL's generation phase (HF generate + decoding)

    def timed_generate(*a, **kw):
        t0 = time.perf_counter()
        try:
            return generate(*a, **kw)
        finally:
            gen_times.append(time.perf_counter() - t0)

    trainer._generate = timed_generate
    return trainer


def interleaver(ours: list[Ours], trl_times: list, trl_cpu: list):
    from transformers import TrainerCallback

    class Interleave(TrainerCallback):
        """Times each TRL step, then runs one step of each of ours before TRL's next step."""

        def on_train_begin(self, args, state, control, **kw):
            self.mark, self.cpu = time.perf_counter(), time.process_time()

        def on_step_end(self, args, state, control, **kw):
            trl_times.append(time.perf_counter() - self.mark)
            trl_cpu.append(time.process_time() - self.cpu)
            for side in ours:
                side.step(len(trl_times) - 1)
            self.mark, self.cpu = time.perf_counter(), time.process_time()

    return Interleave()


# ------------------------------------------------------------------------------------ main
def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main(argv=None) -> dict:
    args = parse_args(argv)
    import ray
    import torch

    from model.tiny import build_tiny
    from rl.config import load_recipe

    torch.set_num_threads(args.threads)
    work = Path(tempfile.mkdtemp(prefix="vlrl-bench-rl-step-"))
    share = len(args.estimators)   # each run of ours asks Ray for its share of the CPUs (one runs at a time)
    recipes = {est: load_recipe(args.recipe, [
        f"output_dir={work / 'run'}", f"model.path=tiny:{args.preset}", "tasks.names=[count]",
        "rewards.tasks={count: {sources: {count: 1.0}}}",   # only the count task (no reward model)
        f"rollout.n={args.n}", f"rollout.max_tokens={args.max_tokens}",
        f"ppo.autocast={'bf16' if args.bf16 else 'null'}",   # the same precision as TRL's side
        f"rollout.dtype={'bfloat16' if args.bf16 else 'float32'}", f"ppo.estimator={est}",
        f"rollout.cpus_per_worker={1 / share}"]) for est in args.estimators}
    recipe = recipes[args.estimators[0]]
    if args.trl_beta is None:
        args.trl_beta = recipe.ppo.kl_coef.get("default", 0.0)
    model_dir = build_tiny(args.preset, seed=recipe.model.seed)
    total = args.warmup + args.steps
    items = make_items(recipe, work, max(8, args.prompts * total))
    banned = [] if args.allow_eos else eos_ids(model_dir)

    t_start = time.perf_counter()
    ours: list[Ours] = []
    trl_times: list[float] = []
    trl_cpu: list[float] = []
    trl_tokens: list = []
    trl_gen: list[float] = []
    try:
        for est in args.estimators:
            ours.append(Ours(args, recipes[est], model_dir, items, work, banned))
        callback = interleaver(ours, trl_times, trl_cpu)
        trainer = make_trl(args, recipe, model_dir, items, work, banned, callback, trl_tokens, trl_gen)
        trainer.train()
    finally:
        for side in ours:
            side.close()
        ray.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    if len(trl_times) != total or any(len(side.rows) != total for side in ours):
        raise RuntimeError(f"expected {total} steps per side, got TRL {len(trl_times)}, "
                           f"ours {[len(side.rows) for side in ours]}")

    samples = args.prompts * args.n
    timed_trl = trl_times[args.warmup:]
    trl_tok = trl_tokens[args.warmup:total]
    trl_gen_timed = trl_gen[args.warmup:total]
    trl_s = med(timed_trl)
    trl_sps, trl_cpu_s = samples / trl_s, med(trl_cpu[args.warmup:])
    sides = {side.estimator: side_figures(side.rows[args.warmup:], samples, trl_sps, trl_cpu_s)
             for side in ours}
    first = sides[args.estimators[0]]
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    result = {
        "ours_samples_per_s": first["samples_per_s"],
        "trl_samples_per_s": round(trl_sps, 2),
        "ratio": first["ratio"],
        "ours_estimator": args.estimators[0],
        **{f"ours_{est}_samples_per_s": f["samples_per_s"] for est, f in sides.items()},
        **{f"ratio_{est}": f["ratio"] for est, f in sides.items()},
        "ours_step_s": first["step_s"], "trl_step_s": round(trl_s, 3),
        "ours_phase_s": first["phase_s"],
        "trl_phase_s": {"generate": round(med(trl_gen_timed), 3),
                        "rest": round(med([s - g for s, g in zip(timed_trl, trl_gen_timed)]), 3)},
        "by_estimator": sides,
        "trl_tokens_per_step": trl_tok,
        "trl_tokens_per_s": (round(med([t / s for t, s in zip(trl_tok, timed_trl) if t is not None]), 1)
                             if any(t is not None for t in trl_tok) else None),
        "trl_generate_tokens_per_s": (round(med([t / g for t, g in zip(trl_tok, trl_gen_timed) if t is not None]), 1)
                                      if any(t is not None for t in trl_tok) else None),
        "trl_cpu_s_per_step": round(trl_cpu_s, 2),
        "trl_step_s_all": [round(t, 3) for t in trl_times],
        "settings": {"model": f"tiny:{args.preset}", "prompts_per_step": args.prompts, "n": args.n,
                     "samples_per_step": samples, "max_tokens": args.max_tokens, "steps": args.steps,
                     "warmup": args.warmup, "eos": "allowed" if args.allow_eos else "disabled (fixed length)",
                     "trl_beta": args.trl_beta, "bf16": args.bf16, "ours_autocast": recipe.ppo.autocast,
                     "ours_estimators": args.estimators, "trl_threads": args.threads, "quick": args.quick},
        "total_s": round(time.perf_counter() - t_start, 1),
        "load_avg_1m": round(load, 2) if load is not None else None,
    }
    print(json.dumps(result))
    return result


def side_figures(rows: list[dict], samples: int, trl_sps: float, trl_cpu_s: float) -> dict:
    """One run of ours over its timed steps: medians, and ratios against TRL."""
    step_s, cpu = med([r["wall_s"] for r in rows]), med([r["cpu_s"] for r in rows])
    phases = sorted({k for r in rows for k in r if k.startswith("time/")})
    return {
        "samples_per_s": round(samples / step_s, 2),
        "ratio": round(samples / step_s / trl_sps, 3),
        "step_s": round(step_s, 3),
        "phase_s": {k.removeprefix("time/"): round(med([r.get(k) for r in rows]), 3) for k in phases},
        "tokens_per_step": [r["tokens"] for r in rows],
        "tokens_per_s": round(med([r["tokens"] / r["wall_s"] for r in rows]), 1),
        "generate_tokens_per_s": round(med([r["tokens"] / r["time/generate"] for r in rows]), 1),
        "cpu_s_per_step": round(cpu, 2),
        "ratio_cpu": round(trl_cpu_s / cpu, 3),   # samples per CPU-second, ours / TRL
        "step_s_all": [round(r["wall_s"], 3) for r in rows],
    }


if __name__ == "__main__":
    main()
