"""The learner: policy, shared critic and frozen reference; one PPO step per call.

`Learner` is a plain class (tests use it directly); `rl/loop.py` runs it as a Ray actor. The full
VL model trains (vision tower, adapter, LLM) unless the recipe freezes parts. The math is in
rl/ppo.py; this file only moves tensors: forward passes, micro-batches, optimiser steps.

Alignment (rl/batch.py): position t of input_ids holds token x_t; log-probs at t are
log p(x_t | x_<t); the critic's value for the state before x_t is its output at t-1, so values,
log-probs, rewards and advantages share the [B, T] response mask.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass

import torch

from model.load import default_device, load_vlm, mixed_precision, param_groups, set_lr
from model.prefix import prefix_forward, to_layout
from model.shared_images import share_repeated_images
from model.value import ScalarModel
from rl import ppo
from rl.batch import ModelInputs, Rollout

ADDITIVE = ("loss/value", "loss/policy", "loss/kl", "entropy")


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


def shift_values(raw: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Critic output at t-1 -> the value of the state before token t; [B, T], 0 off the mask."""
    out = torch.zeros_like(raw)
    out[:, 1:] = raw[:, :-1]
    return out * mask


class Learner:
    def __init__(self, model_dir: str, ppo_cfg, model_cfg, seed: int = 0, checkpoint_dir: str | None = None,
                 threads: int | None = None):
        """Reference = the model at `model_dir` (the stage's starting point, also on resume);
        policy and critic from `checkpoint_dir` (rl/checkpoint.py) when resuming, else the policy
        from `model_dir` and a critic initialised from it."""
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
        if ppo_cfg.share_images:   # a prompt's n samples: one vision-tower pass per image
            for model in (self.policy, self.reference, self.critic.backbone):
                share_repeated_images(model)
        self.model_dir = model_dir
        self.policy_opt = torch.optim.AdamW(param_groups(self.policy, ppo_cfg.lr, ppo_cfg.vision_lr_mult),
                                            weight_decay=ppo_cfg.weight_decay)
        self.critic_opt = torch.optim.AdamW(self.critic.parameters(), lr=ppo_cfg.critic_lr,
                                            weight_decay=ppo_cfg.weight_decay)
        self.updates = 0   # policy updates so far (drives the LR warm-up)
        if checkpoint_dir:
            self.load_state(torch.load(Path(checkpoint_dir) / "learner.pt", weights_only=False))

    # ------------------------------------------------------------------ forward passes
    def _images_per_sample(self, rollout: Rollout) -> list[int]:
        return [len(item.images if hasattr(item, "images") else item.get("images") or [])
                for item in rollout.sample_items()]

    def _micro_batches(self, inputs: ModelInputs, n_images: list[int], rows: list[int] | None = None):
        """Micro-batches of `rows` (default: all), rows of similar length together (less padding);
        with prefix sharing, a group's rows together (its prompt computed once per micro-batch)."""
        size = self.cfg.micro_batch_size
        lengths = inputs.attention_mask.sum(1).tolist()
        rows = list(range(len(lengths))) if rows is None else rows
        if inputs.group is None:
            order = sorted(rows, key=lambda r: lengths[r])
        else:
            group = inputs.group.tolist()
            longest: dict[int, int] = {}
            for r in rows:
                longest[group[r]] = max(longest.get(group[r], 0), lengths[r])
            order = sorted(rows, key=lambda r: (longest[group[r]], group[r], lengths[r]))
        for i in range(0, len(order), size):
            part = order[i:i + size]
            yield part, _rows(inputs, part, n_images)

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

    def _autocast(self):
        return mixed_precision(self.cfg.autocast, self.device)

    def _prefix(self, backbone, mb: ModelInputs):
        """model/prefix.py's (hidden, tokens, valid) for `mb` (each distinct prompt once)."""
        return prefix_forward(backbone, mb.input_ids, mb.attention_mask, mb.response_mask, mb.group,
                              mb.pixel_values, mb.image_grid_thw, mb.mm_token_type_ids)

    def _critic_values(self, mb: ModelInputs) -> torch.Tensor:
        """V(state before token t) at response positions [b, t], float32, 0 elsewhere."""
        with self._autocast():
            if mb.group is not None:
                hidden, _, valid = self._prefix(self.critic.backbone, mb)
                return to_layout(self.critic.head(hidden).squeeze(-1).float(), valid, mb.response_mask)
            raw = self.critic(**mb.forward_kwargs())
        return shift_values(raw.float(), mb.response_mask)

    def _policy_forward(self, model, mb: ModelInputs) -> tuple[torch.Tensor, torch.Tensor]:
        """(log-probs [b, t] at response positions, entropy per token [b, t])."""
        if mb.group is not None:
            with self._autocast():
                hidden, tokens, valid = self._prefix(model.model, mb)
                logits = model.lm_head(hidden)
            logp_all = torch.log_softmax(logits.float(), -1)
            picked = logp_all.gather(-1, tokens[..., None])[..., 0]
            ent = -(logp_all.exp() * logp_all).sum(-1)
            return to_layout(picked, valid, mb.response_mask), to_layout(ent, valid, mb.response_mask)
        with self._autocast():
            logits = model(**mb.forward_kwargs()).logits[:, :-1]
        logits = logits.float()
        logp_all = torch.log_softmax(logits, -1)
        picked = logp_all.gather(-1, mb.input_ids[:, 1:, None])[..., 0]
        ent = -(logp_all.exp() * logp_all).sum(-1)
        out_lp, out_ent = torch.zeros_like(mb.old_logprobs), torch.zeros_like(mb.old_logprobs)
        out_lp[:, 1:], out_ent[:, 1:] = picked, ent
        return out_lp * mb.response_mask, out_ent * mb.response_mask

    @torch.no_grad()
    def _prepare(self, inputs: ModelInputs, n_images: list[int]):
        """Reference log-probs and critic values of the whole batch (padded to its width)."""
        ref = torch.zeros_like(inputs.old_logprobs)
        values = torch.zeros_like(inputs.old_logprobs)
        for rows, mb in self._micro_batches(inputs, n_images):
            w = mb.input_ids.shape[1]
            ref[rows, :w] = self._policy_forward(self.reference, mb)[0]
            values[rows, :w] = self._critic_values(mb)
        return ref, values

    # ------------------------------------------------------------------ the step
    def step(self, rollout: Rollout, step_in: StepInputs) -> dict[str, float]:
        """One PPO step: reference log-probs and values, advantages, epochs on policy and critic."""
        t0 = time.time()
        cfg = self.cfg
        inputs = rollout.model_inputs(self.processor)
        if cfg.share_prefix and hasattr(self.policy.model, "get_rope_index"):
            inputs.group = rollout.group   # each prompt computed once per micro-batch (model/prefix.py)
        inputs = to_device(inputs, self.device)
        step_in = StepInputs(step_in.scores.to(self.device), step_in.kl_coef.to(self.device), step_in.train_policy)
        n_images = self._images_per_sample(rollout)
        mask = inputs.response_mask
        ref_lp, values = self._prepare(inputs, n_images)
        old_lp = inputs.old_logprobs
        rewards = ppo.apply_kl(cfg.kl_mode, "rewards", old_lp, ref_lp, step_in.kl_coef, mask,
                               kind=cfg.kl_kind, scores=step_in.scores)
        estimator = cfg.estimator if step_in.train_policy else "gae"
        advantages, returns = ppo.compute_advantages(
            estimator, rewards, mask, values=values, group_ids=rollout.group, gamma=cfg.gamma,
            lam_critic=cfg.lam_critic, lam_policy=cfg.lam_policy, alpha=cfg.lam_alpha)
        if returns is None:   # critic-free estimators: the critic still learns the score-to-go
            _, returns = ppo.decoupled_gae(rewards, values, mask, cfg.lam_critic, 1.0, cfg.lam_alpha, cfg.gamma)
        t_prep = time.time() - t0
        stats = self._epochs(inputs, n_images, old_lp, ref_lp, values, advantages, returns,
                             step_in.kl_coef, step_in.train_policy)
        kl = ppo.kl_estimate(old_lp, ref_lp, cfg.kl_kind) * mask
        stats.update({
            "time/prepare": t_prep, "time/update": time.time() - t0 - t_prep,
            "kl_per_sample": (kl.sum(1) / mask.sum(1).clamp_min(1)).tolist(),
            "advantage_mean": float(ppo.masked_mean(advantages, mask)),
            "return_mean": float(ppo.masked_mean(returns, mask)),
        })
        return stats

    def _epochs(self, inputs, n_images, old_lp, ref_lp, values, advantages, returns, kl_coef,
                train_policy: bool) -> dict:
        """PPO epochs; each epoch makes one optimiser step per minibatch (so ratios move off 1 and
        clipping can act from the second minibatch on); micro-batches accumulate gradients."""
        cfg = self.cfg
        B = inputs.input_ids.shape[0]
        sums: dict[str, float] = {}
        steps = 0
        for _ in range(cfg.epochs):
            for mb_rows in self._minibatches(inputs):
                n_tokens = float(inputs.response_mask[mb_rows].sum())
                self.policy_opt.zero_grad(set_to_none=True)
                self.critic_opt.zero_grad(set_to_none=True)
                for rows, mb in self._micro_batches(inputs, n_images, mb_rows):
                    part = self._micro_step(mb, rows, n_tokens, old_lp, ref_lp, values, advantages, returns,
                                            kl_coef, train_policy)
                    for k, v in part.items():
                        # losses and entropy: this micro-batch's share of its minibatch's token mean;
                        # other stats: micro-batch means, weighted by rows
                        sums[k] = sums.get(k, 0.0) + (v if k in ADDITIVE else v * len(rows) / B)
                for k, v in self._optimiser_steps(train_policy).items():
                    sums[k] = sums.get(k, 0.0) + v
                steps += 1
        per_step = ADDITIVE + ("grad_norm/critic", "grad_norm/policy")
        return {k: v / (steps if k in per_step else cfg.epochs) for k, v in sums.items()}

    def _micro_step(self, mb, rows, n_tokens, old_lp, ref_lp, values, advantages, returns, kl_coef,
                    train_policy: bool) -> dict:
        """Forward/backward of one micro-batch for the critic (and the policy); returns its stats."""
        cfg = self.cfg
        w, m = mb.input_ids.shape[1], mb.response_mask
        cut = lambda x: x[rows, :w]   # noqa: E731
        v_loss, v_stats = ppo.value_loss(self._critic_values(mb), cut(values), cut(returns), m,
                                         clip=cfg.value_clip, num_tokens=n_tokens)
        v_loss.backward()
        part = {"loss/value": float(v_loss.detach()), **{k: float(v) for k, v in v_stats.items()}}
        if train_policy:
            logp, ent = self._policy_forward(self.policy, mb)
            p_loss, p_stats = ppo.policy_loss(logp, cut(old_lp), cut(advantages), m, cfg.eps_low,
                                              cfg.eps_high, cfg.dual_clip, num_tokens=n_tokens)
            kl_term = ppo.apply_kl(cfg.kl_mode, "loss", logp, cut(ref_lp), kl_coef[rows], m,
                                   kind=cfg.kl_kind, num_tokens=n_tokens)
            ent_mean = ent.sum() / n_tokens
            (p_loss + kl_term - cfg.entropy_coef * ent_mean).backward()
            part.update({"loss/policy": float(p_loss.detach()), "loss/kl": float(kl_term.detach()),
                         "entropy": float(ent_mean.detach()), **{k: float(v) for k, v in p_stats.items()}})
        for k, v in part.items():
            if not math.isfinite(v) and k != "explained_variance":
                raise FloatingPointError(f"learner: {k} is {v}")
        return part

    def _optimiser_steps(self, train_policy: bool) -> dict:
        cfg = self.cfg
        c_norm = torch.nn.utils.clip_grad_norm_(self.critic.parameters(), cfg.grad_clip)
        self.critic_opt.step()
        out = {"grad_norm/critic": float(c_norm)}
        if train_policy:
            warm = min(1.0, (self.updates + 1) / max(1, cfg.warmup_steps))
            set_lr(self.policy_opt, cfg.lr * warm)
            params = [p for p in self.policy.parameters() if p.requires_grad]
            out["grad_norm/policy"] = float(torch.nn.utils.clip_grad_norm_(params, cfg.grad_clip))
            self.policy_opt.step()
            self.updates += 1
        return out

    # ------------------------------------------------------------------ weights and state
    def ready(self) -> bool:
        return True

    def policy_state(self) -> dict[str, torch.Tensor]:
        """The policy's HF-named weights, for rl/sync.py."""
        return {k: v.detach().cpu() for k, v in self.policy.state_dict().items()}

    def save(self, path: str) -> str:
        """Write policy (HF safetensors + processor), critic and learner.pt into `path`."""
        from pathlib import Path

        path = Path(path)
        self.policy.save_pretrained(path / "policy")
        self.processor.save_pretrained(path / "policy")
        self.critic.save(path / "critic", source_dir=path / "policy")
        torch.save(self.state(), path / "learner.pt")
        return str(path)

    def state(self) -> dict:
        """Everything a checkpoint needs besides the models' safetensors."""
        return {"policy_opt": self.policy_opt.state_dict(), "critic_opt": self.critic_opt.state_dict(),
                "updates": self.updates, "torch_rng": torch.get_rng_state()}

    def load_state(self, state: dict) -> None:
        self.policy_opt.load_state_dict(state["policy_opt"])
        self.critic_opt.load_state_dict(state["critic_opt"])
        self.updates = state["updates"]
        torch.set_rng_state(state["torch_rng"])
