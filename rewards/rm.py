"""The scalar reward model as a reward source, and the recipe's reward models built in one place.

    rm = ScalarRM("runs/hybrid_rl/rm/rm", image_root=data_dir)
    rm.score(samples, solutions) -> [float]     # batched forward passes on CPU (or the GPU if any)

    models = make_reward_model(recipe, ctx_state)   # {"rm": ScalarRM, "judge": Judge} or None
    RewardWorker(recipe.rewards, rm=models)         # HybridReward routes the sources "rm" / "judge"

The model is a `model/value.py` ScalarModel (VL backbone + scalar head) trained by
rewards/rm_train.py; its score pools the per-token values of the solution (+ `<|im_end|>`) as the
model was trained (`pool`: last token, mean or sum), with the same prompt and images the policy
saw. ScalarRM and Judge load their weights / start their engine on first use, so they can be passed
to a Ray actor (RewardWorker) before that.

    rm_trust(recipe, state) -> (trust, why)    # how much RL lets the RM's rewards steer the policy
"""
from __future__ import annotations

import json
from pathlib import Path

from model.prompts import item_field
from rewards.hybrid import MODEL_SOURCES, RewardSetupError

STAMP = "rm_stage.json"   # written by the `rm` stage beside the weights: its settings and summary


class ScalarRM:
    def __init__(self, path, image_root=None, batch_size: int = 16):
        self.path = str(path)
        if not (Path(self.path) / "scalar_model.safetensors").is_file():
            raise FileNotFoundError(f"{self.path}: not a trained scalar reward model (no scalar_model.safetensors)")
        self.image_root = None if image_root is None else str(image_root)
        self.batch_size = batch_size
        self.model = self.processor = None

    def __getstate__(self):   # a Ray actor gets the path; it loads the weights itself
        return {**self.__dict__, "model": None, "processor": None}

    def load(self) -> "ScalarRM":
        if self.model is None:
            from transformers import AutoProcessor

            from model.load import default_device
            from model.value import ScalarModel

            self.model = ScalarModel.load(self.path).to(default_device()).eval()
            self.processor = AutoProcessor.from_pretrained(self.path, local_files_only=True)
        return self

    def score(self, samples: list[dict], solutions: list[str]) -> list[float]:
        import torch

        from rewards.rm_train import score_batch

        self.load()
        samples = [self.with_root(s) for s in samples]
        out: list[float] = []
        with torch.no_grad():
            for i in range(0, len(samples), self.batch_size):
                scores = score_batch(self.model, self.processor, samples[i: i + self.batch_size],
                                     solutions[i: i + self.batch_size])
                # sigmoid: the Bradley-Terry probability of beating a response scored 0, in (0, 1),
                # so a response that fails the format gate (fail_reward, 0 by default) never
                # out-scores one that passes (with raw scores it could, whenever they are negative)
                out.extend(torch.sigmoid(scores.float()).cpu().tolist())
        return out

    def with_root(self, sample: dict) -> dict:
        if "prompt" not in sample:
            raise ValueError(f"sample {sample.get('id')!r}: the reward model needs its 'prompt' (and 'images')")
        if self.image_root and not item_field(sample, "image_root"):
            return {**sample, "image_root": self.image_root}
        return sample

    def close(self) -> None:
        self.model = self.processor = None


def rm_location(recipe, ctx_state: dict | None = None, rm_path=None) -> str | None:
    """The scalar RM's dir: `rm_path`, else `reward_model.path`, else the rm stage's `rm_dir`."""
    return rm_path or recipe.reward_model.path or (ctx_state or {}).get("rm_dir")


def read_stamp(rm_dir) -> dict | None:
    """The `rm` stage's record beside an RM's weights ({"config_hash", "summary"}), or None."""
    try:
        stamp = json.loads((Path(rm_dir) / STAMP).read_text())
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def needed_sources(recipe) -> set[str]:
    return {s for task in recipe.rewards.tasks.values() for s in task.sources if s in MODEL_SOURCES}


def without_missing_rm(recipe, state: dict | None = None, rm_path=None):
    """(recipe, dropped tasks): tasks that name the scalar RM ("rm") are left out while no RM exists
    (no rm_path, no reward_model.path, no trained `rm` stage), so everything else still scores."""
    if rm_location(recipe, state, rm_path):
        return recipe, []
    dropped = sorted(t for t, c in recipe.rewards.tasks.items() if "rm" in c.sources)
    tasks = {t: c for t, c in recipe.rewards.tasks.items() if t not in dropped}
    return recipe.model_copy(update={"rewards": recipe.rewards.model_copy(update={"tasks": tasks})}), dropped


def make_reward_model(recipe, ctx_state: dict | None = None, rm_path=None, image_root=None) -> dict | None:
    """The reward models that the recipe's tasks name (None when none does).

    "rm": the scalar RM at `rm_path`, else `reward_model.path`, else the rm stage's `ctx_state["rm_dir"]`.
    "judge": the generative judge of `reward_model.judge`. Images are found under `image_root`, else
    the data stage's `ctx_state["data_dir"]`, unless a sample names its own `image_root`.
    """
    from rewards.judge import Judge

    state = ctx_state or {}
    root = image_root or state.get("data_dir")
    cfg, models = recipe.reward_model, {}
    needed = needed_sources(recipe)
    if "rm" in needed:
        path = rm_location(recipe, state, rm_path)
        if not path:
            raise RewardSetupError("rewards.tasks name the source 'rm' (the scalar reward model) but no RM was "
                                   "trained: add an `rm` stage before `rl`, or set reward_model.path")
        try:
            models["rm"] = ScalarRM(path, image_root=root, batch_size=cfg.batch_size)
        except FileNotFoundError as e:
            raise RewardSetupError(str(e)) from None
    if "judge" in needed:
        try:
            models["judge"] = Judge(cfg.judge, image_root=root)
        except ValueError as e:
            raise RewardSetupError(str(e)) from None
    return models or None


def rm_trust(recipe, ctx_state: dict | None = None) -> tuple[float, str]:
    """(trust in [0, 1], why): `reward_model.trust` when a number; with "auto", 2 * accuracy - 1
    clipped to [0, 1], from the held-out pairwise accuracy recorded in the RM dir's rm_stage.json
    (1.0 when the RM has no such record, e.g. one trained elsewhere).

    A pairwise accuracy `a` orders a right and a wrong answer correctly with probability a, so the
    part of its reward differences that points the right way is 2a - 1: 0 at chance (a = 0.5), where
    the RM adds only noise to the policy gradient, 1 for a perfect RM."""
    cfg = recipe.reward_model
    if cfg.trust != "auto":
        return float(cfg.trust), f"reward_model.trust = {cfg.trust}"
    path = rm_location(recipe, ctx_state)
    stamp = read_stamp(path) if path else None
    try:
        accuracy = float(stamp["summary"]["pairwise_accuracy"])
    except (KeyError, TypeError, ValueError):
        where = Path(path) / STAMP if path else "the RM dir"
        return 1.0, f"no held-out pairwise accuracy recorded in {where}: trusted fully"
    trust = min(1.0, max(0.0, 2.0 * accuracy - 1.0))
    return round(trust, 4), f"held-out pairwise accuracy {accuracy:.3f} -> trust 2a - 1 = {trust:.3f}"
