"""The learner: policy, shared critic and frozen reference; one PPO step per call.

`Learner` is a plain class (tests use it directly); `rl/loop.py` runs it as a Ray actor, or as
`ppo.learner_workers` actors sharing the work with FSDP (rl/distributed.py: `join` after
construction). The full VL model trains (vision tower, adapter, LLM) unless the recipe freezes
parts. The math is in rl/ppo.py, the forward passes in rl/passes.py; this file moves tensors:
micro-batches, optimiser steps, state.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass

import torch

from model.load import default_device, load_vlm, param_groups, set_lr
from model.shared_images import share_repeated_images
from model.value import ScalarModel
from rl import distributed as dist
from rl import ppo
from rl.batch import ModelInputs, Rollout
from rl.passes import PolicyPass, ValuePass, pass_inputs

ADDITIVE = ("loss/value", "loss/policy", "loss/kl", "entropy")
GLOBAL = ("grad_norm/critic", "grad_norm/policy")   # the same on every rank


@dataclass
class StepInputs:
    """What the loop hands the learner besides the rollout: one scalar per sample."""

    scores: torch.Tensor    # [B] float32: the (normalised) reward of each sample
    kl_coef: torch.Tensor   # [B] float32: the KL coefficient of each sample's task
    train_policy: bool = True   # False during value pre-training (critic-only steps)


def _rows(inputs: ModelInputs, rows: list[int], images_per_sample: list[int]) -> ModelInputs:
    """The micro-batch of `rows` (cut to its own longest sequence), vision inputs included."""
    idx = torch.tensor(rows, device=inputs.input_ids.device)
    width = int(inputs.attention_mask[idx].sum(1).max())
    kw = {f: getattr(inputs, f)[idx, :width] for f in ("input_ids", "attention_mask", "response_mask",
                                                        "old_logprobs", "mm_token_type_ids")
          if getattr(inputs, f) is not None}
    if inputs.group is not None:
        kw["group"] = inputs.group[idx]
    if inputs.pixel_values is None:
        return ModelInputs(**kw)
    grid = inputs.image_grid_thw
    patches = grid.prod(-1)
    img_start = [0]
    for n in images_per_sample:
        img_start.append(img_start[-1] + n)
    patch_start = [0] + patches.cumsum(0).tolist()
    imgs = [i for r in rows for i in range(img_start[r], img_start[r + 1])]
    pix = torch.cat([inputs.pixel_values[patch_start[i]:patch_start[i + 1]] for i in imgs]) if imgs else None
    return ModelInputs(**kw, pixel_values=pix, image_grid_thw=grid[imgs] if imgs else None)


def to_device(inputs: ModelInputs, device: torch.device) -> ModelInputs:
    """The same inputs with every tensor on `device` (a no-op on CPU)."""
    if device.type == "cpu":
        return inputs
    from dataclasses import fields as dc_fields
    return ModelInputs(**{f.name: (v.to(device) if isinstance(v := getattr(inputs, f.name), torch.Tensor) else v)
                          for f in dc_fields(inputs)})


class Learner:
    def __init__(self, model_dir: str, ppo_cfg, model_cfg, seed: int = 0, checkpoint_dir: str | None = None,
                 threads: int | None = None, world_size: int = 1, fsdp: bool = False):
        """Reference = the model at `model_dir` (the stage's starting point, also on resume);
        policy and critic from `checkpoint_dir` (rl/checkpoint.py) when resuming, else the policy
        from `model_dir` and a critic initialised from it. With `world_size` > 1 (or `fsdp` on one
        rank) the learner is ready only after `join` (the process group, sharding, optimisers)."""
        from pathlib import Path

        if threads:
            torch.set_num_threads(threads)
        torch.manual_seed(seed)
        self.cfg = ppo_cfg
        self.device = default_device()
        kw = dict(dtype=getattr(torch, model_cfg.dtype), freeze_vision=model_cfg.freeze_vision,
                  freeze_adapter=model_cfg.freeze_adapter, device=self.device)
        policy_dir = Path(checkpoint_dir) / "policy" if checkpoint_dir else model_dir
        self.policy, self.processor = load_vlm(policy_dir, **kw)    # frozen parts set by kw
        self.reference = (load_vlm(model_dir, **kw)[0] if checkpoint_dir else copy.deepcopy(self.policy))
        self.reference.requires_grad_(False).eval()
        self.critic = (ScalarModel.load(Path(checkpoint_dir) / "critic") if checkpoint_dir
                       else ScalarModel.from_policy(self.policy)).to(self.device)
        attention = ppo_cfg.attention
        if attention == "auto":
            attention = "eager" if self.device.type == "cpu" else None
        self.fsdp = fsdp or world_size > 1
        for model in (self.policy, self.reference, self.critic.backbone):
            if attention:   # eager: the small model's learner step 1.14x faster than with SDPA on CPU
                model.set_attn_implementation(attention)
            if ppo_cfg.share_images and not self.fsdp:   # a prompt's n samples: one vision-tower pass per image
                share_repeated_images(model)
        self.passes = {"policy": PolicyPass(self.policy, ppo_cfg.autocast),
                       "reference": PolicyPass(self.reference, ppo_cfg.autocast),
                       "critic": ValuePass(self.critic, ppo_cfg.autocast)}
        self.model_dir = model_dir
        self.rank, self.world_size = 0, world_size
        self.updates = 0   # policy updates so far (drives the LR warm-up)
        self._checkpoint_dir = checkpoint_dir
        if not self.fsdp:
            self._finish()

    def _finish(self) -> None:
        """Optimisers (over the sharded parameters under FSDP) and the checkpoint's state."""
        from pathlib import Path

        cfg = self.cfg
        self.policy_opt = torch.optim.AdamW(param_groups(self.policy, cfg.lr, cfg.vision_lr_mult),
                                            weight_decay=cfg.weight_decay)
        self.critic_opt = torch.optim.AdamW(self.critic.parameters(), lr=cfg.critic_lr,
                                            weight_decay=cfg.weight_decay)
        if self._checkpoint_dir:
            self.load_state(torch.load(Path(self._checkpoint_dir) / "learner.pt", weights_only=False))

    def address(self) -> str:
        """"host:port" for the process group (asked of rank 0)."""
        return dist.free_address()

    def join(self, address: str, rank: int) -> bool:
        """Join the learners' process group as `rank`, shard the models (FSDP), build the optimisers."""
        self.rank = rank
        dist.init(address, rank, self.world_size, self.device)
        for module in self.passes.values():
            dist.shard(module)
        self._finish()
        return True

    # ------------------------------------------------------------------ forward passes
    def _images_per_sample(self, rollout: Rollout) -> list[int]:
        return [len(item.images if hasattr(item, "images") else item.get("images") or [])
                for item in rollout.sample_items()]

    def _order(self, inputs: ModelInputs, rows: list[int]) -> list[int]:
        """Rows of similar length together (less padding); with prefix sharing, a group's rows
        together (its prompt computed once per micro-batch)."""
        lengths = inputs.attention_mask.sum(1).tolist()
        if inputs.group is None:
            return sorted(rows, key=lambda r: lengths[r])
        group = inputs.group.tolist()
        longest: dict[int, int] = {}
        for r in rows:
            longest[group[r]] = max(longest.get(group[r], 0), lengths[r])
        return sorted(rows, key=lambda r: (longest[group[r]], group[r], lengths[r]))

    def _micro_batches(self, inputs: ModelInputs, n_images: list[int], rows: list[int]):
        """(rows, micro-batch, weight) of this rank's share of `rows`, `micro_batch_size` rows each.
        Under FSDP every rank yields as many as the busiest one: the extra ones repeat a row of
        `rows` with weight 0 (their forward passes keep the ranks' collectives in step)."""
        size = self.cfg.micro_batch_size
        mine = self._own(rows)
        order = self._order(inputs, mine)
        parts = [order[i:i + size] for i in range(0, len(order), size)]
        if self.world_size > 1:
            counts = [len(self._own(rows, r)) for r in range(self.world_size)]
            parts += [None] * (dist.micro_batch_count(counts, size) - len(parts))
        for part in parts:
            if part is None:
                yield [rows[0]], _rows(inputs, [rows[0]], n_images), 0.0
            else:
                yield part, _rows(inputs, part, n_images), 1.0

    def _own(self, rows: list[int], rank: int | None = None) -> list[int]:
        """The rows of `rows` that `rank` (default: this one) works on (the step's `_owned` sets)."""
        if self.world_size == 1:
            return list(rows)
        keep = self._owned[self.rank if rank is None else rank]
        return [r for r in rows if r in keep]

    def _minibatches(self, inputs: ModelInputs) -> list[list[int]]:
        """`cfg.minibatches` disjoint row sets, one optimiser step each (a spread of lengths in each;
        with prefix sharing, whole groups when there are enough of them)."""
        lengths = inputs.attention_mask.sum(1)
        order = lengths.argsort().tolist()
        k = max(1, min(self.cfg.minibatches, len(order)))
        if inputs.group is not None and len(set(inputs.group.tolist())) >= k:
            group = inputs.group.tolist()
            mean = {g: float(lengths[inputs.group == g].float().mean()) for g in set(group)}
            rank = {g: i for i, g in enumerate(sorted(mean, key=lambda g: (mean[g], g)))}
            return [[r for r in order if rank[group[r]] % k == j] for j in range(k)]
        return [order[j::k] for j in range(k)]

    @torch.no_grad()
    def _prepare(self, inputs: ModelInputs, n_images: list[int], with_values: bool = True):
        """Reference log-probs and (with `with_values`) critic values of the whole batch (padded to
        its width); under FSDP each rank computes its rows and the sum over ranks fills in the rest."""
        ref = torch.zeros_like(inputs.old_logprobs)
        values = torch.zeros_like(inputs.old_logprobs) if with_values else None
        for rows, mb, weight in self._micro_batches(inputs, n_images, list(range(inputs.input_ids.shape[0]))):
            w = mb.input_ids.shape[1]
            lp = self.passes["reference"](**pass_inputs(mb))[0]
            v = self.passes["critic"](**pass_inputs(mb)) if with_values else None
            if weight:
                ref[rows, :w] = lp
                if with_values:
                    values[rows, :w] = v
        return dist.all_reduce_sum(ref), (dist.all_reduce_sum(values) if with_values else None)

    # ------------------------------------------------------------------ the step
    def step(self, rollout: Rollout, step_in: StepInputs) -> dict[str, float]:
        """One PPO step: reference log-probs and values, advantages, epochs on policy and critic."""
        t0 = time.time()
        cfg = self.cfg
        inputs = rollout.model_inputs(self.processor)
        if self.world_size > 1:   # each rank's prompt groups, the same on every rank
            self._owned = [set(dist.own_rows(rollout.group, r, self.world_size)) for r in range(self.world_size)]
        if cfg.share_prefix and hasattr(self.policy.model, "get_rope_index"):
            inputs.group = rollout.group   # each prompt computed once per micro-batch (model/prefix.py)
        inputs = to_device(inputs, self.device)
        step_in = StepInputs(step_in.scores.to(self.device), step_in.kl_coef.to(self.device), step_in.train_policy)
        n_images = self._images_per_sample(rollout)
        mask = inputs.response_mask
        critic = cfg.trains_critic
        ref_lp, values = self._prepare(inputs, n_images, with_values=critic and not cfg.values_in_update)
        old_lp = inputs.old_logprobs
        rewards = ppo.apply_kl(cfg.kl_mode, "rewards", old_lp, ref_lp, step_in.kl_coef, mask,
                               kind=cfg.kl_kind, scores=step_in.scores)
        t_prep = time.time() - t0
        sums: dict[str, float] = {}
        minibatches = self._minibatches(inputs)
        if critic and cfg.values_in_update:   # the critic's first epoch, its forwards giving the values
            values = self._critic_epoch(inputs, n_images, minibatches, rewards, sums)
        train_policy = step_in.train_policy or not critic   # no critic: no critic-only steps
        estimator = cfg.estimator if train_policy else "gae"
        advantages, returns = ppo.compute_advantages(
            estimator, rewards, mask, values=values, group_ids=rollout.group, gamma=cfg.gamma,
            lam_critic=cfg.lam_critic, lam_policy=cfg.lam_policy, alpha=cfg.lam_alpha)
        if returns is None and critic:   # critic-free estimators with ppo.critic: true: it learns the score-to-go
            returns = self._returns(rewards, values, mask)
        stats = self._epochs(inputs, n_images, minibatches, old_lp, ref_lp, values, advantages, returns,
                             step_in.kl_coef, train_policy, sums)
        kl = ppo.kl_estimate(old_lp, ref_lp, cfg.kl_kind) * mask
        stats.update({
            "time/prepare": t_prep, "time/update": time.time() - t0 - t_prep,
            "kl_per_sample": (kl.sum(1) / mask.sum(1).clamp_min(1)).tolist(),
            "advantage_mean": float(ppo.masked_mean(advantages, mask)),
            "policy_trained": int(train_policy),   # 0 on a critic-only step (value pre-training)
        })
        if returns is not None:
            stats["return_mean"] = float(ppo.masked_mean(returns, mask))
        return stats

    def _returns(self, rewards, values, mask):
        """The critic's targets: GAE returns with lam_critic (Monte-Carlo score-to-go at 1.0)."""
        cfg = self.cfg
        return ppo.decoupled_gae(rewards, values, mask, cfg.lam_critic, 1.0, cfg.lam_alpha, cfg.gamma)[1]

    def _critic_epoch(self, inputs, n_images, minibatches, rewards, sums: dict) -> torch.Tensor:
        """The critic's first epoch when `values_in_update`: each micro-batch's forward, taken
        before the critic has trained on those rows, gives their values (the old values of the
        clipped loss, so it does not clip here) and, through GAE, their returns; then the backward.
        Saves the separate no-grad forward of the values. Rows of later minibatches are valued by
        the critic after the earlier minibatches' steps (on other prompts). Returns values [B, T]."""
        values = torch.zeros_like(inputs.old_logprobs)

        def micro(mb, rows, n_tokens, weight):
            w = mb.input_ids.shape[1]
            part, v = self._value_step(mb, rows, n_tokens, None, rewards[rows, :w], weight)
            if weight:
                values[rows, :w] = v
            return part

        self._pass(inputs, n_images, minibatches, micro, sums, critic=True, policy=False)
        return dist.all_reduce_sum(values)

    def _pass(self, inputs, n_images, minibatches, micro, sums: dict, critic: bool, policy: bool) -> None:
        """One pass over the batch: per minibatch, `micro(mb, rows, n_tokens, weight)` runs the
        forward/backward of each micro-batch (gradients accumulate) and returns its stats, then the
        optimiser steps of `critic` and/or `policy`. Stats are added into `sums`: losses and entropy
        as a micro-batch's share of its minibatch's token mean, grad norms per optimiser step, other
        stats as micro-batch means weighted by rows."""
        B = inputs.input_ids.shape[0]

        def add(part: dict, rows: int) -> None:
            for k, v in part.items():
                sums[k] = sums.get(k, 0.0) + (v if k in ADDITIVE or k in GLOBAL else v * rows / B)

        for mb_rows in minibatches:
            n_tokens = float(inputs.response_mask[mb_rows].sum())
            self.policy_opt.zero_grad(set_to_none=True)
            self.critic_opt.zero_grad(set_to_none=True)
            for rows, mb, weight in self._micro_batches(inputs, n_images, mb_rows):
                part = micro(mb, rows, n_tokens, weight)
                if weight:
                    add(part, len(rows))
            add(self._optimiser_steps(critic=critic, policy=policy), 1)

    def _epochs(self, inputs, n_images, minibatches, old_lp, ref_lp, values, advantages, returns, kl_coef,
                train_policy: bool, sums: dict) -> dict:
        """PPO epochs; each epoch makes one optimiser step per minibatch (so ratios move off 1 and
        clipping can act from the second minibatch on); micro-batches accumulate gradients. The
        critic's first epoch has already run when `values_in_update` (see _critic_epoch)."""
        cfg = self.cfg
        for epoch in range(cfg.epochs):
            critic = cfg.trains_critic and not (epoch == 0 and cfg.values_in_update)
            if not (critic or train_policy):
                continue

            def micro(mb, rows, n_tokens, weight):
                w = mb.input_ids.shape[1]
                cut = lambda x: x[rows, :w]   # noqa: E731
                part = {}
                if critic:
                    part = self._value_step(mb, rows, n_tokens, cut(values), cut(returns), weight)[0]
                if train_policy:
                    part.update(self._policy_step(mb, rows, n_tokens, cut(old_lp), cut(ref_lp),
                                                  cut(advantages), kl_coef[rows], weight))
                return part

            self._pass(inputs, n_images, minibatches, micro, sums, critic=critic, policy=train_policy)
        sums = dist.sum_stats(sums, keep=GLOBAL)
        steps = cfg.epochs * len(minibatches)   # optimiser steps of each model
        per_step = ADDITIVE + GLOBAL
        return {k: v / (steps if k in per_step else cfg.epochs) for k, v in sums.items()}

    def _value_step(self, mb, rows, n_tokens, old_values, target, weight: float = 1.0):
        """Forward/backward of the critic on one micro-batch -> (stats, its values, detached).
        `old_values` None: this forward's values are the old ones and `target` holds the rows'
        rewards (their returns come from GAE on these values); else `target` holds the returns.
        The backward is scaled by the world size (FSDP averages gradients over ranks; each rank's
        loss is its share of the global token mean) and by `weight` (0: a filler micro-batch)."""
        cfg = self.cfg
        m = mb.response_mask
        v = self.passes["critic"](**pass_inputs(mb))
        returns = target
        if old_values is None:
            old_values = v.detach()
            returns = self._returns(target, old_values, m)
        loss, stats = ppo.value_loss(v, old_values, returns, m, clip=cfg.value_clip, num_tokens=n_tokens)
        (loss * weight * self.world_size).backward()
        part = {"loss/value": float(loss.detach()), **{k: float(x) for k, x in stats.items()}}
        self._check(part, weight)
        return part, old_values

    def _policy_step(self, mb, rows, n_tokens, old_lp, ref_lp, advantages, kl_coef, weight: float = 1.0) -> dict:
        """Forward/backward of the policy on one micro-batch (inputs cut to it) -> its stats."""
        cfg = self.cfg
        m = mb.response_mask
        logp, ent = self.passes["policy"](**pass_inputs(mb))
        p_loss, p_stats = ppo.policy_loss(logp, old_lp, advantages, m, cfg.eps_low, cfg.eps_high,
                                          cfg.dual_clip, num_tokens=n_tokens)
        kl_term = ppo.apply_kl(cfg.kl_mode, "loss", logp, ref_lp, kl_coef, m, kind=cfg.kl_kind,
                               num_tokens=n_tokens)
        ent_mean = ent.sum() / n_tokens
        ((p_loss + kl_term - cfg.entropy_coef * ent_mean) * weight * self.world_size).backward()
        part = {"loss/policy": float(p_loss.detach()), "loss/kl": float(kl_term.detach()),
                "entropy": float(ent_mean.detach()), **{k: float(v) for k, v in p_stats.items()}}
        self._check(part, weight)
        return part

    @staticmethod
    def _check(part: dict, weight: float) -> None:
        for k, v in part.items():
            if weight and not math.isfinite(v) and k != "explained_variance":
                raise FloatingPointError(f"learner: {k} is {v}")

    def _optimiser_steps(self, critic: bool, policy: bool) -> dict:
        cfg = self.cfg
        out = {}
        if critic:
            c_norm = torch.nn.utils.clip_grad_norm_(self.critic.parameters(), cfg.grad_clip)
            self.critic_opt.step()
            out["grad_norm/critic"] = dist.grad_norm(c_norm)
        if policy:
            warm = min(1.0, (self.updates + 1) / max(1, cfg.warmup_steps))
            set_lr(self.policy_opt, cfg.lr * warm)
            params = [p for p in self.policy.parameters() if p.requires_grad]
            out["grad_norm/policy"] = dist.grad_norm(torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip))
            self.policy_opt.step()
            self.updates += 1
        return out

    # ------------------------------------------------------------------ weights and state
    def ready(self) -> bool:
        return True

    def policy_state(self) -> dict[str, torch.Tensor]:
        """The policy's HF-named weights, for rl/sync.py (under FSDP: every rank calls it, rank 0
        gets them)."""
        return dist.full_state(self.policy)

    def policy_wire(self) -> dict:
        """`policy_state` as numpy arrays (rl/sync.py `state_to_wire`): returned through Ray ~10x
        faster than pickled tensors; the driver reads them with `state_from_wire`."""
        from rl.sync import state_to_wire   # rl/sync.py imports Ray; the learner runs without it too

        return state_to_wire(self.policy_state())

    def save(self, path: str) -> str:
        """Write policy (HF safetensors + processor), critic and learner.pt into `path` (under FSDP:
        every rank calls it, rank 0 writes)."""
        from pathlib import Path

        path = Path(path)
        policy, critic, state = dist.full_state(self.policy), dist.full_state(self.critic), self.state()
        if dist.is_main():
            self.policy.save_pretrained(path / "policy", state_dict=policy)
            self.processor.save_pretrained(path / "policy")
            self.critic.save(path / "critic", source_dir=path / "policy", state=critic)
            torch.save(state, path / "learner.pt")
        return str(path)

    def state(self) -> dict:
        """Everything a checkpoint needs besides the models' safetensors (optimiser states keyed by
        parameter name, so a checkpoint loads at any `learner_workers`)."""
        return {"policy_opt": dist.optimizer_state(self.policy, self.policy_opt),
                "critic_opt": dist.optimizer_state(self.critic, self.critic_opt),
                "updates": self.updates, "torch_rng": torch.get_rng_state()}

    def load_state(self, state: dict) -> None:
        dist.load_optimizer_state(self.policy, self.policy_opt, state["policy_opt"])
        dist.load_optimizer_state(self.critic, self.critic_opt, state["critic_opt"])
        self.updates = state["updates"]
        torch.set_rng_state(state["torch_rng"])
