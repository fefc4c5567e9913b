"""Rewards inside the RL loop: HybridReward in its own Ray actor, and per-source normalisation.

`RewardWorker` scores a Rollout's responses (format gate, verifiers in their process pool, the
reward model). `SourceNormaliser` keeps a running mean/std per reward source so that verifier
rewards (0/1) and reward-model scores (any scale) reach the shared critic on one scale.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from rewards.hybrid import HybridReward, RewardResult


def sample_record(item) -> dict:
    """The dict a verifier sees for a task item (TaskItem or plain record)."""
    return item.to_record() if hasattr(item, "to_record") else dict(item)


class RewardWorker:
    """HybridReward behind a Ray actor (`ray.remote(RewardWorker)`); usable in-process too."""

    def __init__(self, rewards_cfg, rm=None):
        self.reward = HybridReward(rewards_cfg, rm=rm)

    def score(self, items: list, responses: list[str], train: bool = False) -> list[RewardResult]:
        return self.reward.score([sample_record(it) for it in items], responses, train=train)

    def close(self) -> None:
        self.reward.close()


def task_scales(tasks: dict, trust: dict[str, float]) -> dict[str, float]:
    """Per task: the weighted mean trust of its reward sources (a source missing from `trust`, e.g.
    a verifier, counts 1.0). A task with no sources (the format gate alone) gets 1.0."""
    out = {}
    for task, cfg in tasks.items():
        total = sum(cfg.sources.values())
        out[task] = (sum(w * trust.get(s, 1.0) for s, w in cfg.sources.items()) / total) if total else 1.0
    return out


@dataclass
class RunningStat:
    """Welford running mean/variance."""

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0

    def update(self, values: list[float]) -> None:
        for x in values:
            self.n += 1
            d = x - self.mean
            self.mean += d / self.n
            self.m2 += d * (x - self.mean)

    @property
    def std(self) -> float:
        return math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else 1.0


def source_key(task_config) -> str:
    """The normalisation group of a task's samples: its reward sources, e.g. "math", "count+rm"."""
    return "+".join(sorted(task_config.sources)) or "format"


@dataclass
class SourceNormaliser:
    """Normalise each sample's reward by the running statistics of its reward source.

    A sample's source is the set of sources of its *task* (`source_key`), given by the caller, not
    read off the result: a sample that failed the format gate has no per-source scores, yet it must
    be normalised with its task's other samples, so that the gate's penalty keeps its sign (a failed
    gate scored in a group of its own would normalise to 0 and beat every wrong answer, which
    normalises below 0). Statistics update before normalising (the first batch included).
    """

    min_std: float = 0.05
    stats: dict[str, RunningStat] = field(default_factory=dict)

    def __call__(self, results: list[RewardResult], keys: list[str]) -> torch.Tensor:
        if len(keys) != len(results):
            raise ValueError(f"{len(results)} results but {len(keys)} source keys")
        raw = [r.reward for r in results]
        for key in set(keys):
            self.stats.setdefault(key, RunningStat()).update([x for k, x in zip(keys, raw) if k == key])
        out = [(x - self.stats[k].mean) / max(self.stats[k].std, self.min_std) for k, x in zip(keys, raw)]
        return torch.tensor(out, dtype=torch.float32)

    def state(self) -> dict:
        return {k: vars(v).copy() for k, v in self.stats.items()}

    def load_state(self, state: dict) -> None:
        self.stats = {k: RunningStat(**v) for k, v in state.items()}
