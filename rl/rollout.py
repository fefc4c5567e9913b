"""Rollouts: engines (rl/engines.py) inside Ray actors, several of them splitting a batch.

    group = RolloutGroup(model_path, recipe.rollout)     # `workers` actors, each owning one engine
    batch = group.generate(items)                        # -> Rollout (rl/batch.py), n per prompt
    group.push(model)                                    # weight sync after a learner update
    group.close()

Bad input gets a clear error naming the sample: a prompt longer than `max_model_len`
(`PromptTooLongError`, or skipped and listed in `Rollout.skipped` when `long_prompts: skip`), an
image that fails to load (ValueError from model/prompts.py). A worker that dies is re-created by Ray
(`max_restarts`); the group then loads the latest pushed weights into it and runs its shard again,
so no batch is lost or generated with stale weights.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any

import ray
import torch
from ray.exceptions import ActorDiedError, ActorUnavailableError

from model.load import native_bf16
from model.prompts import item_field, load_images, prompt_text
from rl.batch import Rollout, item_id
from rl.engines import PromptInput, PromptOutput, Sampling, make_engine
from rl.sync import WeightSync, WeightUpdate, fetch_tensors

log = logging.getLogger(__name__)
RESTART_WAIT_S = 300   # how long a restarting worker (imports + engine start) may take


class PromptTooLongError(ValueError):
    """A prompt (text + image tokens) that does not fit the engine's context."""


class RolloutError(RuntimeError):
    """A shard that could not be generated even after restarting its worker."""


def sampling_of(config) -> Sampling:
    return Sampling(temperature=config.temperature, top_p=config.top_p, max_tokens=config.max_tokens)


def expand_placeholders(processor, ids: list[int], images: list) -> list[int]:
    """`ids` with each image placeholder repeated once per image token, as the processor (and
    vLLM) expand it; computed from the image sizes, without processing pixels."""
    image_token = processor.tokenizer.convert_tokens_to_ids(processor.image_token)
    ip = processor.image_processor
    counts = iter([ip.get_number_of_image_patches(im.height, im.width, {}) // ip.merge_size ** 2
                   for im in images])
    out: list[int] = []
    for t in ids:
        out.extend([t] * next(counts) if t == image_token else [t])
    return out


def placeholder_ids(processor) -> tuple[int, ...]:
    """Token ids that stand for image / video content (never to be generated)."""
    names = [getattr(processor, n, None) for n in ("image_token", "video_token")]
    return tuple(processor.tokenizer.convert_tokens_to_ids(n) for n in names if n)


def prepare_prompts(processor, items: list, max_model_len: int, long_prompts: str = "error"):
    """(prompts that fit, ids of items skipped). A prompt fits when it leaves room for at least
    one generated token; a longer one raises PromptTooLongError naming the item, or is skipped."""
    prompts, skipped = [], []
    for item in items:
        images = load_images(item)  # raises ValueError naming the item
        text = prompt_text(processor, item)
        text_ids = processor.tokenizer(text, add_special_tokens=False).input_ids
        ids = expand_placeholders(processor, text_ids, images)
        if len(ids) >= max_model_len:
            if long_prompts == "skip":
                skipped.append(item_id(item))
                continue
            raise PromptTooLongError(
                f"sample {item_id(item)!r}: prompt is {len(ids)} tokens ({len(images)} images), "
                f"max_model_len is {max_model_len}; raise rollout.max_model_len or set "
                f"rollout.long_prompts=skip")
        prompts.append(PromptInput(item, text, images, text_ids, ids))
    return prompts, skipped


def assemble(prompts: list[PromptInput], outputs: list[PromptOutput], version: int, skipped) -> Rollout:
    """The typed batch from engine outputs (samples of one prompt are contiguous)."""
    fields: dict[str, list] = {k: [] for k in ("sample_ids", "tasks", "prompt_ids", "response_ids",
                                               "logprobs", "texts", "finish_reasons")}
    group = []
    for g, (p, out) in enumerate(zip(prompts, outputs)):
        prompt_ids = torch.tensor(out.prompt_ids, dtype=torch.long)
        for k, c in enumerate(out.completions):
            group.append(g)
            fields["sample_ids"].append(f"{item_id(p.item)}#{k}")
            fields["tasks"].append(str(item_field(p.item, "task", "")))
            fields["prompt_ids"].append(prompt_ids)
            fields["response_ids"].append(torch.tensor(c.token_ids, dtype=torch.long))
            fields["logprobs"].append(torch.tensor(c.logprobs, dtype=torch.float32))
            fields["texts"].append(c.text)
            fields["finish_reasons"].append(c.finish_reason)
    return Rollout(items=[p.item for p in prompts], group=torch.tensor(group, dtype=torch.long),
                   policy_version=version, skipped=list(skipped), **fields)


class RolloutWorker:
    """One engine in one process; wrapped with `ray.remote` by RolloutGroup."""

    def __init__(self, model_path: str, config, dtype: str = "float32", rank: int = 0):
        from transformers import AutoProcessor

        self.config, self.rank, self.version = config, rank, 0
        self.processor = AutoProcessor.from_pretrained(model_path, local_files_only=True)
        self.engine = make_engine(config.engine, model_path, config, dtype, seed=config.seed + rank,
                                  banned_ids=placeholder_ids(self.processor))

    def generate(self, items: list, n: int | None = None, sampling: Sampling | None = None) -> Rollout:
        prompts, skipped = prepare_prompts(self.processor, items, self.config.max_model_len,
                                           self.config.long_prompts)
        outputs = self.engine.generate(prompts, n or self.config.n, sampling or sampling_of(self.config)) \
            if prompts else []
        return assemble(prompts, outputs, self.version, skipped)

    def score(self, rollout: Rollout) -> list[torch.Tensor]:
        """Log-probs of the rollout's responses under this worker's current weights."""
        prompts, _ = prepare_prompts(self.processor, rollout.sample_items(), self.config.max_model_len)
        return self.engine.score(prompts, [r.tolist() for r in rollout.response_ids])

    def load_weights(self, update: WeightUpdate) -> int:
        if update.parts:
            self.engine.load_weights(fetch_tensors(update))
        self.version = update.version
        return self.version

    def pid(self) -> int:
        return os.getpid()


def worker_env(config) -> dict | None:
    """vLLM on CPU runs single-threaded torch (vLLM's own advice): Ray would set OMP_NUM_THREADS to
    the actor's CPUs, and spin-waiting OpenMP threads then made generation ~10x slower on a busy
    2-core machine and every weight reload ~10x slower on an idle one (measured)."""
    if config.engine == "vllm" and not config.gpus_per_worker:
        return {"env_vars": {"OMP_NUM_THREADS": "1"}}
    return None


def shard(items: list, parts: int) -> list[list]:
    """Contiguous, nearly equal pieces (the first ones one longer)."""
    bounds = [round(k * len(items) / parts) for k in range(parts + 1)]
    return [items[a:b] for a, b in zip(bounds, bounds[1:])]


def engine_dtype(config, model_dtype: str = "float32") -> str:
    """The engines' weight dtype: `config.dtype`, or `model_dtype` when that is null; "auto" is
    bfloat16 on GPU workers and on a CPU with bf16 in hardware (model/load.py `native_bf16`), else
    `model_dtype` (emulated bf16 would make generation slower, not faster)."""
    if config.dtype != "auto":
        return config.dtype or model_dtype
    return "bfloat16" if config.gpus_per_worker > 0 or native_bf16("cpu") else model_dtype


class RolloutGroup:
    """`config.workers` RolloutWorker actors sharing each batch (data parallel)."""

    def __init__(self, model_path, config, dtype: str = "float32", sync: WeightSync | None = None):
        """`dtype`: the engines' weights unless `config.dtype` names one (the recipe's model.dtype)."""
        self.config, self.sync, self.restarts = config, sync or WeightSync(), 0
        dtype = engine_dtype(config, dtype)
        actor = ray.remote(RolloutWorker).options(
            num_cpus=config.cpus_per_worker, num_gpus=config.gpus_per_worker,
            max_restarts=config.max_restarts, max_task_retries=0, runtime_env=worker_env(config))
        self.workers = [actor.remote(str(model_path), config, dtype, rank) for rank in range(config.workers)]
        ready, waiting = ray.wait([w.pid.remote() for w in self.workers], num_returns=config.workers,
                                  timeout=RESTART_WAIT_S)
        ray.get(ready)  # an engine that failed to start raises here
        if waiting:
            free = ray.available_resources()
            self.close()
            raise RolloutError(
                f"{len(waiting)} of {config.workers} rollout workers did not start in {RESTART_WAIT_S} s; "
                f"each needs {config.cpus_per_worker} CPUs and {config.gpus_per_worker} GPUs, the "
                f"cluster has {free} free")

    def generate(self, items: list, n: int | None = None, sampling: Sampling | None = None) -> Rollout:
        pieces = [(rank, part) for rank, part in enumerate(shard(items, len(self.workers))) if part]
        refs = {rank: self.workers[rank].generate.remote(part, n, sampling) for rank, part in pieces}
        return Rollout.concat([self.finish(rank, refs[rank], lambda w, p=part: w.generate.remote(p, n, sampling))
                               for rank, part in pieces])

    def score(self, rollout: Rollout, rank: int = 0) -> list[torch.Tensor]:
        return self.finish(rank, None, lambda w: w.score.remote(rollout))

    def push(self, model_or_state) -> WeightUpdate:
        """Publish the changed weights of the learner's model (or state dict) and load them."""
        return self.load(self.sync.publish(model_or_state))

    def load(self, update: WeightUpdate) -> WeightUpdate:
        """Load a published update into every worker, in place (a dead one gets `sync.latest()`)."""
        refs = {rank: w.load_weights.remote(update) for rank, w in enumerate(self.workers)}
        for rank, ref in refs.items():
            self.finish(rank, ref, lambda w: w.load_weights.remote(self.sync.latest()))
        return update

    def finish(self, rank: int, ref, call: Any):
        """The result of `ref` (or of `call(worker)` when ref is None); when the worker died, or came
        back from a restart with older weights, load the latest weights into it and call again."""
        for _ in range(self.config.max_restarts + 1):
            try:
                out = ray.get(ref if ref is not None else call(self.workers[rank]))
            except ActorDiedError as e:
                raise RolloutError(f"rollout worker {rank} is dead for good (max_restarts="
                                   f"{self.config.max_restarts} used up); its part of the batch is lost") from e
            except ActorUnavailableError:
                log.warning("rollout worker %d died; waiting for Ray to restart it", rank)
            else:
                if getattr(out, "policy_version", self.sync.version) == self.sync.version:
                    return out
                log.warning("rollout worker %d came back with weights v%d, not v%d: reloading",
                            rank, out.policy_version, self.sync.version)
            self.restarts += 1
            self.recover(rank)
            ref = None
        raise RolloutError(f"rollout worker {rank} failed {self.config.max_restarts + 1} times; "
                           f"its part of the batch was not generated")

    def recover(self, rank: int) -> None:
        """Wait until a restarted worker answers, then load the latest pushed weights into it."""
        deadline = time.monotonic() + RESTART_WAIT_S
        while True:
            try:
                ray.get(self.workers[rank].load_weights.remote(self.sync.latest()))
                return
            except ActorDiedError as e:
                raise RolloutError(f"rollout worker {rank} is dead for good (max_restarts="
                                   f"{self.config.max_restarts} used up)") from e
            except ActorUnavailableError:
                if time.monotonic() > deadline:
                    raise RolloutError(f"rollout worker {rank} did not come back in {RESTART_WAIT_S} s") from None
                time.sleep(0.5)

    def close(self) -> None:
        for w in self.workers:
            ray.kill(w, no_restart=True)
        self.workers = []
