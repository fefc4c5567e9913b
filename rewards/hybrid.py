"""Hybrid rewards: route each sample to its task's reward sources, behind the `<think>` gate.

    reward = fail_reward                                  if the format gate fails
           = sum(w_s * r_s) / sum(w_s) over sources s    whose r_s is not None ("applicable")

A task (`rewards.tasks.<task>` in the recipe) names its sources with weights; a source is a
registered verifier name, a "pkg.module:function" spec, or a reward model: "rm" (the scalar RM) or
"judge" (the generative judge), passed in as objects with `score(samples, solutions) -> list[float]`
(`rm=model` means {"rm": model}; rewards/rm.py builds them from a recipe). Every name is resolved when
`HybridReward` is built, so a typo fails at start-up, before anything is scored. Verifiers run in
a worker pool with a hard time limit per check (rewards/pool.py); the gate and the reward model
run here. A task with no sources is the gate alone: 1.0 if the response passes, else fail_reward.
"""
from __future__ import annotations

import difflib
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from rewards.format import check_format
from rewards.pool import Check, CheckResult, VerifierPool
from rl.schema import RewardsConfig, TaskRewardConfig
from verifiers import UnknownVerifier, get_verifier, import_plugins

RM_SOURCE = "rm"
MODEL_SOURCES = (RM_SOURCE, "judge")   # scored by reward-model objects, in one batch per source


class RewardModel(Protocol):
    def score(self, samples: list[dict], solutions: list[str]) -> list[float]: ...


class RewardSetupError(Exception):
    """A reward configuration that cannot run (unknown verifier, missing reward model, bad plugin)."""


class UnknownTask(KeyError):
    def __str__(self) -> str:
        return self.args[0]


@dataclass
class RewardResult:
    reward: float
    rewards: dict[str, float | None] = field(default_factory=dict)   # per source; None = n/a
    format_ok: bool | None = None        # None: the gate was not applied
    format_reason: str = ""
    details: dict[str, dict] = field(default_factory=dict)
    timeouts: list[str] = field(default_factory=list)
    error: str | None = None
    elapsed_s: float = 0.0
    note: str | None = None              # e.g. "no applicable reward source"


class HybridReward:
    def __init__(self, config: RewardsConfig, rm: RewardModel | dict[str, RewardModel] | None = None, *,
                 workers: int | None = None, chunk_size: int | None = None):
        self.models = dict(rm) if isinstance(rm, dict) else ({RM_SOURCE: rm} if rm is not None else {})
        self.config, self.rm = config, self.models.get(RM_SOURCE)
        self.tasks: dict[str, TaskRewardConfig] = dict(config.tasks)
        try:
            import_plugins(list(config.plugins))
        except ImportError as e:
            raise RewardSetupError(str(e)) from None
        for task, tcfg in self.tasks.items():
            for source in tcfg.sources:
                self._resolve(task, source)
        self.strict = config.format.mode == "strict"
        n = config.workers if workers is None else workers
        self.pool = VerifierPool(n, config.timeout_s, config.plugins, chunk_size)

    def _resolve(self, task: str, source: str) -> None:
        if source in MODEL_SOURCES:
            if source not in self.models:
                raise RewardSetupError(f"rewards.tasks.{task}.sources names {source!r} (a reward "
                                       f"model) but no reward model was given for it")
            return
        try:
            get_verifier(source)
        except UnknownVerifier as e:
            raise RewardSetupError(f"rewards.tasks.{task}.sources: {e}") from None
        except ImportError as e:
            raise RewardSetupError(f"rewards.tasks.{task}.sources: {source!r}: {e}") from None

    def __enter__(self) -> "HybridReward":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.pool.close()

    def task_config(self, task: Any) -> TaskRewardConfig:
        tcfg = self.tasks.get(task) if isinstance(task, str) else None
        if tcfg is None:
            close = difflib.get_close_matches(str(task), self.tasks, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UnknownTask(f"unknown task {task!r}{hint}; known tasks: {', '.join(sorted(self.tasks))}")
        return tcfg

    def score(self, samples: list[dict], responses: list[str], *, no_format: bool = False,
              train: bool = False) -> list[RewardResult]:
        """`train`: the RL loop's training rewards (each task's `train_meta` merged over its `meta`)."""
        if len(samples) != len(responses):
            raise ValueError(f"{len(samples)} samples but {len(responses)} responses")
        configs = [self.task_config(s.get("task")) for s in samples]   # all errors before any work
        if train:
            configs = [c.for_training() for c in configs]
        results, solutions = [], []
        for tcfg, response in zip(configs, responses):
            result, solution = self._gate(tcfg, response, no_format)
            results.append(result)
            solutions.append(solution)
        scores: dict[tuple[int, str], CheckResult] = {}
        self._run_verifiers(samples, configs, solutions, scores)
        for source in MODEL_SOURCES:
            self._run_rm(samples, configs, solutions, scores, source)
        for i, (tcfg, result) in enumerate(zip(configs, results)):
            if solutions[i] is not None and tcfg.sources:
                combine(result, tcfg.sources, {s: scores[i, s] for s in tcfg.sources})
        return results

    def _gate(self, tcfg: TaskRewardConfig, response: str, no_format: bool) -> tuple[RewardResult, str | None]:
        """The gate's result and the solution the sources see (None: nothing more to run)."""
        if not tcfg.format_gate or (no_format and tcfg.sources):
            return RewardResult(0.0), response
        start = time.perf_counter()
        verdict = check_format(response if isinstance(response, str) else "", self.strict)
        elapsed = time.perf_counter() - start
        if not verdict.ok:
            fail = self.config.format.fail_reward
            return RewardResult(fail, format_ok=False, format_reason=verdict.reason, elapsed_s=elapsed), None
        reward = 1.0 if not tcfg.sources else 0.0
        return RewardResult(reward, format_ok=True, format_reason=verdict.reason, elapsed_s=elapsed), verdict.solution

    def _run_verifiers(self, samples, configs, solutions, scores) -> None:
        keys, checks = [], []
        for i, (sample, tcfg, solution) in enumerate(zip(samples, configs, solutions)):
            if solution is None:
                continue
            merged = {**tcfg.meta, **sample}
            for source in tcfg.sources:
                if source not in MODEL_SOURCES:
                    keys.append((i, source))
                    checks.append(Check(source, merged, solution))
        for key, result in zip(keys, self.pool.run(checks)):
            scores[key] = result

    def _run_rm(self, samples, configs, solutions, scores, source: str = RM_SOURCE) -> None:
        idx = [i for i, (tcfg, sol) in enumerate(zip(configs, solutions))
               if sol is not None and source in tcfg.sources]
        if not idx:
            return
        start = time.perf_counter()
        try:
            values = list(self.models[source].score([{**configs[i].meta, **samples[i]} for i in idx], [solutions[i] for i in idx]))
            if len(values) != len(idx):
                raise ValueError(f"reward model returned {len(values)} scores for {len(idx)} samples")
            share = (time.perf_counter() - start) / len(idx)
            for i, value in zip(idx, values):
                scores[i, source] = CheckResult(None if value is None else float(value), {}, share)
        except Exception as e:  # noqa: BLE001 - a failing reward model scores 0, the run goes on
            error = f"{type(e).__name__}: {e}"
            share = (time.perf_counter() - start) / len(idx)
            for i in idx:
                scores[i, source] = CheckResult(0.0, {"error": error}, share, error=error)


def combine(result: RewardResult, weights: dict[str, float], checks: dict[str, CheckResult]) -> None:
    """Fill `result` from per-source check results: weighted mean over the applicable sources."""
    errors = []
    for source, check in checks.items():
        result.rewards[source] = check.score
        result.details[source] = check.details
        result.elapsed_s += check.elapsed_s
        if check.timed_out:
            result.timeouts.append(source)
        if check.error:
            errors.append(f"{source}: {check.error}")
    applicable = {s: w for s, w in weights.items() if result.rewards[s] is not None}
    total = sum(applicable.values())
    if not applicable or total == 0:
        result.reward = 0.0
        result.note = "no applicable reward source" if not applicable else "applicable weights sum to 0"
    else:
        result.reward = sum(w * result.rewards[s] for s, w in applicable.items()) / total
    result.error = "; ".join(errors) or None
