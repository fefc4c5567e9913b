"""The RL stage: the step reads like the algorithm; details live in the functions it calls.

    for step in steps:
        prompts  = sampler.next(prompts_per_step)
        batch    = rollouts.generate(prompts)                    # vLLM in Ray actors, n per prompt
        results  = rewarder.score(batch)                         # gate -> verifiers / reward model
        scores   = normalise_per_source(results) * task_scale    # one scale for the shared critic;
                                                                 #   an RM near chance weighs less
        batch    = dynamic_sampling(batch) (optional)            # drop groups with no reward spread
        stats    = learner.step(batch, scores, kl_coef[task])    # ref log-probs, values, GAE, PPO
        rollouts.push(learner.policy_wire())                     # in-place weight sync
        log, evaluate, view, checkpoint

Fault tolerance: a rollout worker that dies is restarted by its group (rl/rollout.py); a learner
that dies is re-created from the last checkpoint and the steps since are redone (the metrics file
never records a step twice).
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import ray
import torch
from ray.exceptions import RayActorError

from rl.engines import Sampling
from rl.learner import Learner, StepInputs
from rl.rewarding import SourceNormaliser, source_key, task_scales
from rl.sync import state_from_wire


@dataclass
class PromptSampler:
    """Shuffled passes over the prompts; `position` (pass, offset) makes resume exact."""

    items: list
    seed: int = 0
    epoch: int = 0
    offset: int = 0
    order: list[int] = field(default_factory=list)

    def __post_init__(self):
        if not self.items:
            raise ValueError("no prompts to sample from")
        self._shuffle()

    def _shuffle(self) -> None:
        self.order = list(range(len(self.items)))
        random.Random(self.seed * 1_000_003 + self.epoch).shuffle(self.order)

    def next(self, k: int) -> list:
        out = []
        while len(out) < k:
            if self.offset >= len(self.order):
                self.epoch, self.offset = self.epoch + 1, 0
                self._shuffle()
            out.append(self.items[self.order[self.offset]])
            self.offset += 1
        return out

    def position(self) -> dict:
        return {"epoch": self.epoch, "offset": self.offset}

    def seek(self, position: dict) -> None:
        self.epoch, self.offset = position["epoch"], position["offset"]
        self._shuffle()


def kl_coefs(tasks: list[str], table: dict[str, float]) -> torch.Tensor:
    """[B] KL coefficient of each sample, from its task (the recipe's ppo.kl_coef)."""
    return torch.tensor([table.get(t, table["default"]) for t in tasks], dtype=torch.float32)


def groups_with_spread(batch, rewards: list[float]) -> list[int]:
    """Prompt groups whose samples did not all get the same reward."""
    by_group: dict[int, set] = {}
    for g, r in zip(batch.group.tolist(), rewards):
        by_group.setdefault(g, set()).add(round(r, 6))
    return [g for g, values in sorted(by_group.items()) if len(values) > 1]


def select_rows(batch, scores: torch.Tensor, results: list, groups: list[int]):
    """The batch, scores and results of the given prompt groups, in batch order."""
    keep = set(groups)
    rows = [i for i, g in enumerate(batch.group.tolist()) if g in keep]
    return batch.select(groups), scores[rows], [results[i] for i in rows]


class LearnerHandle:
    """The learner as Ray actors (one, or `ppo.learner_workers` sharing each step with FSDP),
    re-created from the last checkpoint if one dies. `call` runs a method on every rank (FSDP's
    collectives need them all) and returns rank 0's result."""

    def __init__(self, make):
        self._make = make
        self.actors = make(None)
        self.restarts = 0

    @property
    def actor(self):
        return self.actors[0]

    def call(self, method: str, *args):
        if len(self.actors) == 1:
            return ray.get(getattr(self.actor, method).remote(*args))
        args = tuple(ray.put(a) for a in args)   # one copy in the object store for all ranks
        refs = [getattr(a, method).remote(*args) for a in self.actors]
        pending = refs
        while pending:   # a dead rank raises at once (the others may be waiting for it in a collective)
            ready, pending = ray.wait(pending, num_returns=1)
            ray.get(ready[0])
        return ray.get(refs[0])

    def restart(self, checkpoint_dir) -> None:
        for actor in self.actors:
            try:
                ray.kill(actor, no_restart=True)
            except Exception:  # already gone
                pass
        self.actors = self._make(str(checkpoint_dir) if checkpoint_dir else None)
        self.restarts += 1


def make_learner_factory(model_dir: str, recipe, threads: int):
    world = recipe.ppo.learner_workers
    actor = ray.remote(Learner).options(num_cpus=0, num_gpus=recipe.ppo.learner_gpus, max_restarts=0)

    def make(checkpoint_dir) -> list:
        handles = [actor.remote(model_dir, recipe.ppo, recipe.model, recipe.seed, checkpoint_dir, threads, world)
                   for _ in range(world)]
        if world > 1:   # rank 0's node and a free port, then every rank joins and shards its models
            address = ray.get(handles[0].address.remote())
            ray.get([h.join.remote(address, rank) for rank, h in enumerate(handles)])
        ray.get([h.ready.remote() for h in handles])  # wait until the models are loaded
        return handles
    return make


def step_metrics(batch, results, stats: dict, kl: list[float], times: dict, kept_groups: int,
                 spread_groups: int) -> dict:
    """The per-step figures: reward by task and source, format rate, KL by task, learner stats."""
    m: dict = {}
    by_task: dict[str, list] = {}
    for task, r, k in zip(batch.tasks, results, kl):
        by_task.setdefault(task, []).append((r, k))
    for task, rows in by_task.items():
        m[f"reward/task/{task}"] = sum(r.reward for r, _ in rows) / len(rows)
        m[f"kl/task/{task}"] = sum(k for _, k in rows) / len(rows)
    sources: dict[str, list[float]] = {}
    for r in results:
        for s, v in r.rewards.items():
            if v is not None:
                sources.setdefault(s, []).append(v)
    m.update({f"reward/source/{s}": sum(v) / len(v) for s, v in sources.items()})
    gated = [r.format_ok for r in results if r.format_ok is not None]
    m["reward/mean"] = sum(r.reward for r in results) / max(1, len(results))
    m["format_rate"] = sum(gated) / len(gated) if gated else None
    m["timeouts"] = sum(len(r.timeouts) for r in results)
    lengths = batch.response_lengths.float()
    m["response_length"] = float(lengths.mean()) if len(lengths) else 0.0
    m["groups/with_spread"] = spread_groups
    m["groups/kept"] = kept_groups
    m.update({k: v for k, v in stats.items() if k != "kl_per_sample"})
    m.update({f"time/{k}": v for k, v in times.items()})
    m["tokens_per_s"] = float(lengths.sum()) / max(1e-9, times.get("generate", 0.0))
    return m


def greedy_sampling(recipe) -> Sampling:
    """The held-out evaluation's decoding: greedy, the rollout's token limit, `eval.repetition_penalty`."""
    return Sampling(temperature=0.0, top_p=1.0, max_tokens=recipe.rollout.max_tokens,
                    repetition_penalty=recipe.eval.repetition_penalty)


def timed(times: dict, name: str, fn, *args, **kw):
    start = time.time()
    out = fn(*args, **kw)
    times[name] = times.get(name, 0.0) + time.time() - start
    return out


class RLRun:
    """The actors of one RL stage and the loop over its steps."""

    def __init__(self, recipe, stage, stage_dir, model_dir: str, train_items: list, heldout_items: list,
                 state: dict | None = None):
        from rewards.rm import make_reward_model
        from rl.checkpoint import latest_checkpoint, load_loop_state
        from rl.metrics import MetricsLogger
        from rl.rewarding import RewardWorker
        from rl.rollout import RolloutGroup

        self.recipe, self.stage, self.stage_dir = recipe, stage, stage_dir
        self.heldout = heldout_items
        self.smoke = recipe.smoke
        ckpt = latest_checkpoint(stage_dir) if recipe.resume else None
        self.learner = LearnerHandle(make_learner_factory(model_dir, recipe, threads=2))
        if ckpt is not None:
            self.learner.restart(ckpt)
        policy_dir = str(ckpt / "policy") if ckpt is not None else model_dir
        self.rollouts = RolloutGroup(policy_dir, recipe.rollout, dtype=recipe.model.dtype)
        reward_models = make_reward_model(recipe, state)   # the scalar RM / judge the tasks name
        self.rm_trust, self.task_scale = reward_trust(recipe, state, reward_models)
        self.rewarder = ray.remote(RewardWorker).options(num_cpus=0).remote(recipe.rewards, reward_models)
        self.sampler = PromptSampler(train_items, seed=recipe.seed)
        self.normaliser = SourceNormaliser()
        self.start_step = 0
        self._pending, self._pool, self.resume_position = None, None, None
        if ckpt is not None:
            state = load_loop_state(ckpt)
            self.sampler.seek(state["sampler"])
            self.normaliser.load_state(state["normaliser"])
            self.start_step = state["step"] + 1
        self.metrics = MetricsLogger(stage_dir)

    # ---------------------------------------------------------------- one step
    def step(self, step: int) -> dict:
        cfg, times = self.stage, {}
        batch = timed(times, "generate", self.next_batch)
        results = timed(times, "reward", lambda: ray.get(self.rewarder.score.remote(batch.sample_items(), batch.texts, train=True)))
        keys = [source_key(self.recipe.rewards.tasks[t]) for t in batch.tasks]
        scores = self.normaliser(results, keys) if self.recipe.ppo.normalize_rewards else \
            torch.tensor([r.reward for r in results])
        scores = scores * torch.tensor([self.task_scale.get(t, 1.0) for t in batch.tasks])
        spread = groups_with_spread(batch, [r.reward for r in results])
        train_batch, train_scores = batch, scores
        if self.recipe.ppo.dynamic_sampling and spread:
            train_batch, train_scores, _ = select_rows(batch, scores, results, spread)
        step_in = StepInputs(scores=train_scores, kl_coef=kl_coefs(train_batch.tasks, self.recipe.ppo.kl_coef),
                             train_policy=step >= cfg.value_warmup_steps)
        stats = timed(times, "learn", self.learner.call, "step", train_batch, step_in)
        timed(times, "sync", self.sync_weights)
        kl = _kl_for_all(batch, train_batch, stats["kl_per_sample"])
        metrics = step_metrics(batch, results, stats, kl, times, len(set(train_batch.group.tolist())), len(spread))
        return {"metrics": metrics, "batch": batch, "results": results}

    def next_batch(self):
        """This step's rollout. With `overlap`, it was generated in the background during the
        previous update (one step off-policy: its log-probs are the behaviour policy's, which is
        what the PPO ratio needs), and the following one is started now."""
        k = self.stage.prompts_per_step
        if self._pending is None:
            batch = self.rollouts.generate(self.sampler.next(k))
        else:
            batch = self._pending.result()
            self._pending = None
        if self.stage.overlap:
            from concurrent.futures import ThreadPoolExecutor
            self._pool = self._pool or ThreadPoolExecutor(1)
            self.resume_position = self.sampler.position()   # the pending prompts are redone on resume
            self._pending = self._pool.submit(self.rollouts.generate, self.sampler.next(k))
        return batch

    def sync_weights(self) -> None:
        """The learner's policy into every rollout engine, in place (the arrays come back through
        Ray's object store as numpy, not pickled tensors: rl/sync.py `state_to_wire`)."""
        self.rollouts.push(state_from_wire(self.learner.call("policy_wire")))

    def discard_pending(self) -> None:
        """Forget a batch generated ahead (after a learner restart it is redone from the checkpoint)."""
        if self._pending is not None:
            try:
                self._pending.result()
            except Exception:  # its worker may have died with the learner's step
                pass
            self._pending = None

    def checkpoint_position(self) -> dict:
        return self.resume_position if self._pending is not None else self.sampler.position()

    def evaluate(self) -> dict:
        from rl.evaluate import evaluate
        return evaluate(self.rollouts.generate,
                        lambda items, texts: ray.get(self.rewarder.score.remote(items, texts)),
                        self.heldout, greedy_sampling(self.recipe))

    def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self.metrics.close()
        self.rollouts.close()
        for actor in (self.rewarder, *self.learner.actors):
            try:
                ray.kill(actor, no_restart=True)
            except Exception:
                pass


def reward_trust(recipe, state, reward_models) -> tuple[float | None, dict[str, float]]:
    """(the scalar RM's trust or None, per-task scale of the normalised rewards): see `rm_trust`."""
    from rewards.rm import rm_trust
    from rl.stages import console

    if not reward_models or "rm" not in reward_models:
        return None, task_scales(recipe.rewards.tasks, {})
    trust, why = rm_trust(recipe, state)
    scales = task_scales(recipe.rewards.tasks, {"rm": trust})
    scaled = {t: round(v, 3) for t, v in scales.items() if v < 1.0}
    if scaled:
        console.print(f"reward model trust {trust:.3f} ({why}): normalised rewards scaled per task {scaled}")
    return trust, scales


def _kl_for_all(batch, train_batch, kl_train: list[float]) -> list[float]:
    """KL per sample of the full batch (samples dropped by dynamic sampling: 0)."""
    if len(train_batch) == len(batch):
        return kl_train
    by_id = dict(zip(train_batch.sample_ids, kl_train))
    return [by_id.get(i, 0.0) for i in batch.sample_ids]


__all__ = ["RLRun", "PromptSampler", "RayActorError"]   # RayActorError: what rl/stage_rl.py catches
