"""Generative-judge throughput: judged samples/s through the RewardWorker vs vLLM called directly.

    python benchmarks/judge.py [--model tiny:small] [--modes pointwise,expected] [--samples 32]
                               [--max-tokens 32] [--repeats 5] [--cpus 2]

The same inputs both ways, in one Ray actor (a RewardWorker holding a Judge on an in-process vLLM
engine), per judge mode:
  ours  `RewardWorker.score(items, responses)` from the driver: the <think> gate, images loaded,
        judge prompts built and length-checked, the engine call, verdicts parsed, rewards combined,
        results sent back;
  raw   `vllm.LLM.generate` on the same engine object with the same SamplingParams and the same
        prompts (texts + PIL images prepared beforehand), called in the actor via `__ray_call__`;
        for `expected` both of its requests per sample (the score position and the "10" branch).
Runs alternate (ours, raw, ours, ...) after a warm-up; samples/s are medians over --repeats. The
items are held-out `chat` items of a generated shapes-world suite, half with their reference as
the response and half with a wrong description. Last line: one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
for key, value in {"VLLM_ENABLE_V1_MULTIPROCESSING": "0", "RAY_AUTH_MODE": "disabled",
                   "TOKENIZERS_PARALLELISM": "false", "VLLM_CPU_KVCACHE_SPACE": "1"}.items():
    os.environ.setdefault(key, value)

import ray  # noqa: E402

from rewards.judge import SCORE_PREFIX, Judge  # noqa: E402
from rewards.preferences import preference_pairs  # noqa: E402
from rl.rewarding import RewardWorker  # noqa: E402
from rl.schema import JudgeConfig, RewardsConfig, TaskRewardConfig  # noqa: E402
from tasks.suite import generate_suite, load_suite  # noqa: E402


def raw_prepare(worker, samples, solutions) -> int:
    """In the actor: the raw baseline's vLLM inputs and SamplingParams (as the judge's engine makes them)."""
    from vllm import SamplingParams

    from rl.engines import vllm_input

    judge = worker.reward.models["judge"]
    backend = judge.engine()
    requests = [judge.prompt(s, judge.template_for(s), response=r) for s, r in zip(samples, solutions)]
    if judge.config.mode == "expected":
        from rewards.judge_engine import score_token_ids

        single, ten = score_token_ids(backend.processor.tokenizer, SCORE_PREFIX)
        prompts = backend.inputs(requests, SCORE_PREFIX, room=2)
        prompts += [backend.extended(p, "1") for p in prompts] if ten else []
        ids = sorted(set(single.values()) | ({ten[1]} if ten else set()))
        worker.raw_params = SamplingParams(max_tokens=1, temperature=0.0, logprob_token_ids=ids)
    else:
        prompts = backend.inputs(requests)
        worker.raw_params = SamplingParams(n=1, temperature=0.0, top_p=1.0, max_tokens=judge.config.max_tokens,
                                           logprobs=0, logit_bias=backend.engine.logit_bias)
    worker.raw_inputs = [vllm_input(p) for p in prompts]
    return len(worker.raw_inputs)


def raw_judge(worker) -> int:
    outs = worker.reward.models["judge"].engine().engine.llm.generate(worker.raw_inputs, worker.raw_params,
                                                                     use_tqdm=False)
    return len(outs)


def judge_stats(worker) -> dict:
    return dict(worker.reward.models["judge"].stats)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def bench_mode(mode: str, args, items: list, responses: list[str], root: Path) -> dict:
    cfg = JudgeConfig(model=args.model, mode=mode, max_tokens=args.max_tokens, max_model_len=1024)
    rewards = RewardsConfig(tasks={"chat": TaskRewardConfig(sources={"judge": 1.0})}, workers=0)
    worker = ray.remote(RewardWorker).options(num_cpus=0).remote(rewards, {"judge": Judge(cfg, image_root=root)})
    try:
        ray.get(worker.score.remote(items, responses))          # warm-up: the engine starts
        solutions = [r.split("</think>", 1)[1] for r in responses]
        records = [{**it.to_record(), "image_root": str(root)} for it in items]
        ray.get(worker.__ray_call__.remote(raw_prepare, records, solutions))
        ray.get(worker.__ray_call__.remote(raw_judge))
        ours, raw = [], []
        for _ in range(args.repeats):
            seconds, results = timed(lambda: ray.get(worker.score.remote(items, responses)))
            assert all(r.error is None for r in results), results[0].error
            ours.append(len(items) / seconds)
            seconds, _ = timed(lambda: ray.get(worker.__ray_call__.remote(raw_judge)))
            raw.append(len(items) / seconds)
        stats = ray.get(worker.__ray_call__.remote(judge_stats))
    finally:
        ray.kill(worker)
    worker_sps, raw_sps = statistics.median(ours), statistics.median(raw)
    return {"worker_samples_per_s": round(worker_sps, 2), "raw_vllm_samples_per_s": round(raw_sps, 2),
            "ratio": round(worker_sps / raw_sps, 3), "unparsed_share": round(stats.get("unparsed", 0) / max(1, stats.get("judged", 1)), 3),
            "worker_runs": [round(x, 2) for x in ours], "raw_runs": [round(x, 2) for x in raw]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="tiny:small")
    p.add_argument("--modes", default="pointwise,expected")
    p.add_argument("--samples", type=int, default=32)
    p.add_argument("--max-tokens", type=int, default=32)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--cpus", type=int, default=2)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "suite"
        generate_suite(root, tasks=["chat"], n_train=1, n_heldout=max(1, args.samples // 2))
        items = load_suite(root, "heldout")[: (args.samples + 1) // 2]
        wrong = {p["id"].split("#")[0]: p["rejected"] for p in preference_pairs(items, len(items))}
        pairs = [(it, f"<think>I look at the image.</think>{text}") for it in items
                 for text in (it.meta["reference"], wrong[it.id])]
        items, responses = [it for it, _ in pairs][: args.samples], [r for _, r in pairs][: args.samples]
        env = {k: os.environ[k] for k in ("VLLM_ENABLE_V1_MULTIPROCESSING", "VLLM_CPU_KVCACHE_SPACE",
                                          "TOKENIZERS_PARALLELISM", "RAY_AUTH_MODE")}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
        ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": env})
        try:
            modes = {m: bench_mode(m, args, items, responses, root) for m in args.modes.split(",")}
        finally:
            ray.shutdown()
    for mode, row in modes.items():
        print(f"{mode}: worker {row['worker_samples_per_s']} samples/s, raw vLLM {row['raw_vllm_samples_per_s']} "
              f"samples/s, ratio {row['ratio']}", file=sys.stderr)
    first = next(iter(modes.values()))
    print(json.dumps({"model": args.model, "samples": len(items), "repeats": args.repeats,
                      "max_tokens": args.max_tokens, "worker_samples_per_s": first["worker_samples_per_s"],
                      "raw_vllm_samples_per_s": first["raw_vllm_samples_per_s"],
                      "ratio": min(m["ratio"] for m in modes.values()), "modes": modes}))


if __name__ == "__main__":
    main()
