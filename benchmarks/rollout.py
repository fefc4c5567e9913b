"""Rollout throughput and weight-sync time: RolloutWorker vs raw vLLM, sync vs a state_dict copy.

    python benchmarks/rollout.py [--preset small] [--prompts 16] [--n 4] [--max-tokens 64]
                                 [--repeats 5] [--hf-repeats 3] [--cpus 2]

Generation, on the same prompts (the first --prompts items of a generated shapes-world suite, every
task, the temporal ones with several frames), in one Ray actor with the in-process vLLM engine:
  ours  `RolloutGroup.generate(items)` from the driver: images loaded, prompts built and length-
        checked, engine call, the typed Rollout assembled and sent back;
  raw   `vllm.LLM.generate` on the same engine object with the same SamplingParams, its inputs
        (texts + PIL images) prepared beforehand, called in the actor via `__ray_call__`.
Runs alternate (ours, raw, ours, ...) after a warm-up; tokens/s are medians over --repeats.
Then the same worker with the HF engine (transformers generate), --hf-repeats runs.

Weight sync: each repeat perturbs every tensor of a learner-side HF model in place, then
`RolloutGroup.push(model)` (publish to the object store + in-place reload in the engine + cache
resets, one round trip); baseline: a raw copy of the same state dict (`{k: v.clone()}`), median of
the same number of repeats. `vllm_reload_s` is vLLM's own `reload_weights` of tensors already in
the engine's process (the floor of any in-place sync through vLLM). Last line: one JSON object.
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
                   "TOKENIZERS_PARALLELISM": "false"}.items():
    os.environ.setdefault(key, value)

import ray  # noqa: E402
import torch  # noqa: E402

from model.load import load_vlm, resolve_model_path  # noqa: E402
from rl.rollout import RolloutGroup, prepare_prompts  # noqa: E402
from rl.schema import RolloutConfig  # noqa: E402
from tasks.suite import generate_suite, load_suite  # noqa: E402


def raw_prepare(worker, items):
    """In the actor: the raw baseline's inputs and SamplingParams (same as the worker's)."""
    from vllm import SamplingParams

    from rl.engines import vllm_input

    prompts, _ = prepare_prompts(worker.processor, items, worker.config.max_model_len)
    c, engine = worker.config, worker.engine
    worker.raw_inputs = [vllm_input(p) for p in prompts]
    worker.raw_params = SamplingParams(n=c.n, temperature=c.temperature, top_p=c.top_p,
                                       max_tokens=c.max_tokens, logprobs=0, logit_bias=engine.logit_bias)
    return len(worker.raw_inputs)


def raw_generate(worker) -> int:
    outs = worker.engine.llm.generate(worker.raw_inputs, worker.raw_params, use_tqdm=False)
    return sum(len(c.token_ids) for o in outs for c in o.outputs)


def raw_reload(worker, state) -> None:
    """vLLM's own in-place reload of tensors already in this process (+ the same cache resets)."""
    worker.engine.load_weights(state.items())


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def bench_generation(group, items, repeats: int) -> dict:
    worker = group.workers[0]
    ray.get(worker.__ray_call__.remote(raw_prepare, items))
    group.generate(items)  # warm-up, both paths
    ray.get(worker.__ray_call__.remote(raw_generate))
    ours, raw = [], []
    for _ in range(repeats):
        s, r = timed(lambda: group.generate(items))
        ours.append(int(r.response_lengths.sum()) / s)
        s, n_tokens = timed(lambda: ray.get(worker.__ray_call__.remote(raw_generate)))
        raw.append(n_tokens / s)
    return {"worker_tokens_per_s": statistics.median(ours), "raw_vllm_tokens_per_s": statistics.median(raw)}


def perturb_all(model, scale: float = 1e-3) -> None:
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * scale)


def bench_sync(group, model, repeats: int) -> dict:
    group.sync.mark_loaded(model.state_dict())
    worker = group.workers[0]
    perturb_all(model)
    group.push(model)  # warm-up
    sync, publish, copy, reload = [], [], [], []
    for _ in range(repeats):
        perturb_all(model)
        t0 = time.perf_counter()
        update = group.sync.publish(model)
        t1 = time.perf_counter()
        group.load(update)
        t2 = time.perf_counter()
        publish.append(t1 - t0)
        sync.append(t2 - t0)
        copy.append(timed(lambda: {k: v.detach().clone() for k, v in model.state_dict().items()})[0])
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    state_ref = ray.put(state)
    ray.get(worker.__ray_call__.remote(lambda w, box: setattr(w, "bench_state", ray.get(box[0])), [state_ref]))
    for _ in range(repeats):
        reload.append(ray.get(worker.__ray_call__.remote(
            lambda w: timed(lambda: raw_reload(w, w.bench_state))[0])))
    med = statistics.median
    return {"sync_s": med(sync), "state_dict_copy_s": med(copy), "sync_publish_s": med(publish),
            "sync_load_s": med(sync) - med(publish), "vllm_reload_s": med(reload)}


def bench_hf(model_dir, config, items, repeats: int) -> float:
    group = RolloutGroup(model_dir, config.model_copy(update={"engine": "hf"}))
    try:
        group.generate(items)
        rates = []
        for _ in range(repeats):
            s, r = timed(lambda: group.generate(items))
            rates.append(int(r.response_lengths.sum()) / s)
        return statistics.median(rates)
    finally:
        group.close()


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="small")
    ap.add_argument("--prompts", type=int, default=16)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--hf-repeats", type=int, default=3)
    ap.add_argument("--cpus", type=float, default=2, help="CPUs of the rollout actor")
    args = ap.parse_args(argv)

    model_dir = resolve_model_path(f"tiny:{args.preset}")
    suite = Path(tempfile.gettempdir()) / "vlrl-bench-rollout-suite"
    generate_suite(suite, n_train=-(-args.prompts // 6), n_heldout=1, seed=0)
    items = load_suite(suite, "train")[: args.prompts]
    config = RolloutConfig(workers=1, cpus_per_worker=args.cpus, n=args.n, max_tokens=args.max_tokens,
                           temperature=1.0, max_model_len=1024)
    model, _ = load_vlm(model_dir)
    ray.init(num_cpus=max(2, int(args.cpus)), include_dashboard=False, log_to_driver=False)
    try:
        group = RolloutGroup(model_dir, config)
        try:
            gen = bench_generation(group, items, args.repeats)
            sync = bench_sync(group, model, args.repeats)
        finally:
            group.close()
        hf = bench_hf(model_dir, config, items, args.hf_repeats)
    finally:
        ray.shutdown()
    result = {
        "model": f"tiny:{args.preset}", "params": sum(p.numel() for p in model.parameters()),
        "prompts": len(items), "n": args.n, "max_tokens": args.max_tokens, "repeats": args.repeats,
        **{k: round(v, 1) for k, v in gen.items()},
        "ratio": round(gen["worker_tokens_per_s"] / gen["raw_vllm_tokens_per_s"], 3),
        **{k: round(v, 4) for k, v in sync.items()},
        "sync_ratio": round(sync["sync_s"] / sync["state_dict_copy_s"], 2),
        "hf_worker_tokens_per_s": round(hf, 1),
        "vllm_over_hf": round(gen["worker_tokens_per_s"] / hf, 2),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
