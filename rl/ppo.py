"""PPO math as pure functions of tensors: advantages, losses, KL to the reference.

Shapes: B samples, T response positions (right-padded). `mask` [B, T] is 0/1 float, 1 on valid
response tokens. Values at masked positions are never read: every function replaces them with 0
before computing (so NaN/inf padding neither leaks into a loss nor into a gradient).
Losses are token-level means over all valid tokens of the batch (not a mean of per-sequence means);
`num_tokens` lets a micro-batch divide by the whole batch's token count instead, so gradient
accumulation reproduces the full-batch loss exactly.

KL to the reference policy enters training in ONE place only: `apply_kl`. `kl_mode="reward"`
subtracts coef*KL from the per-token rewards (before advantages); `kl_mode="loss"` adds coef*KL to
the policy loss (in every update). Both call sites go through `apply_kl`, which applies it in
exactly one of the two according to the mode.
"""
from __future__ import annotations

from typing import Hashable, Sequence

import torch

Tensor = torch.Tensor
KL_MODES = ("loss", "reward", "none")
KL_KINDS = ("k1", "k2", "k3")


def _valid(x: Tensor, mask: Tensor) -> Tensor:
    """x with masked positions replaced by 0 (torch.where: no NaN reaches values or gradients)."""
    return torch.where(mask.bool(), x, torch.zeros((), dtype=x.dtype, device=x.device))


def _f32(x: Tensor) -> Tensor:
    """At least float32 (bf16 log-ratios are too coarse for exp)."""
    return x.to(torch.promote_types(x.dtype, torch.float32))


def masked_mean(x: Tensor, mask: Tensor, dim: int | None = None) -> Tensor:
    """Mean of x [B, T] over positions where mask [B, T] is 1; over everything (dim=None) or along
    `dim`. An empty selection gives 0."""
    total = _valid(x, mask).sum() if dim is None else _valid(x, mask).sum(dim)
    count = mask.sum() if dim is None else mask.sum(dim)
    return total / count.clamp_min(1.0)


def _token_mean(x: Tensor, mask: Tensor, num_tokens: float | None) -> Tensor:
    if num_tokens is None:
        return masked_mean(x, mask)
    return _valid(x, mask).sum() / max(float(num_tokens), 1.0)


def masked_var(x: Tensor, mask: Tensor) -> Tensor:
    """Population variance (divide by N) of x over the valid tokens."""
    mean = masked_mean(x, mask)
    return masked_mean((_valid(x, mask) - mean) ** 2, mask)


def masked_whiten(x: Tensor, mask: Tensor, eps: float = 1e-8) -> Tensor:
    """(x - mean) / sqrt(var + eps) with mean and population variance over the batch's valid
    tokens; x, mask [B, T] -> [B, T], 0 at masked positions."""
    out = (_valid(x, mask) - masked_mean(x, mask)) * torch.rsqrt(masked_var(x, mask) + eps)
    return _valid(out, mask)


# ---------------------------------------------------------------------------- policy loss
def policy_loss(logprobs: Tensor, old_logprobs: Tensor, advantages: Tensor, mask: Tensor,
                eps_low: float = 0.2, eps_high: float = 0.28, dual_clip: float | None = None,
                num_tokens: float | None = None) -> tuple[Tensor, dict[str, Tensor]]:
    """PPO clipped surrogate with clip-higher and optional dual-clip; all inputs [B, T].

    ratio = exp(logprobs - old_logprobs), clipped to [1 - eps_low, 1 + eps_high];
    per token: max(-A * ratio, -A * clip(ratio)); with dual_clip c > 1, tokens with A < 0 are
    further capped at c * |A|. Loss = token-level mean. Gradients flow only through `logprobs`.
    stats (detached 0-d tensors): clip_frac (the clipped term is the active one), dual_clip_frac,
    approx_kl (KL(old || new), k3 estimator), ratio_mean, ratio_max.
    """
    if dual_clip is not None and dual_clip <= 1.0:
        raise ValueError(f"dual_clip must be > 1 (e.g. 3.0), got {dual_clip}")
    logp = _f32(_valid(logprobs, mask))
    log_ratio = logp - _f32(_valid(old_logprobs.detach(), mask))
    adv = _f32(_valid(advantages.detach(), mask))
    ratio = torch.exp(log_ratio)
    unclipped = -adv * ratio
    clipped = -adv * ratio.clamp(1.0 - eps_low, 1.0 + eps_high)
    per_token = torch.maximum(unclipped, clipped)
    dual = torch.zeros_like(mask, dtype=torch.bool)
    if dual_clip is not None:
        cap = -adv * dual_clip                      # = dual_clip * |A| where A < 0
        dual = (adv < 0) & (per_token > cap)
        per_token = torch.where(dual, cap, per_token)
    loss = _token_mean(per_token, mask, num_tokens)
    with torch.no_grad():
        valid = mask.bool()
        stats = {
            "clip_frac": masked_mean((clipped > unclipped).float(), mask),
            "dual_clip_frac": masked_mean(dual.float(), mask),
            "approx_kl": masked_mean(ratio - 1.0 - log_ratio, mask),
            "ratio_mean": masked_mean(ratio, mask),
            "ratio_max": torch.where(valid, ratio, torch.full_like(ratio, -torch.inf)).max()
            if valid.any() else torch.zeros((), device=ratio.device),
        }
    return loss, {k: v.detach() for k, v in stats.items()}


# ---------------------------------------------------------------------------- KL to reference
def kl_estimate(logprobs: Tensor, ref_logprobs: Tensor, kind: str = "k3", clamp: float = 10.0) -> Tensor:
    """Per-token estimate of KL(policy || ref) from samples of the policy; [B, T] -> [B, T].
    k1 = logp - ref; k2 = 0.5 (logp - ref)^2; k3 = exp(ref - logp) - (ref - logp) - 1 (>= 0, low
    variance). The log-ratio is clamped to [-clamp, clamp] and so is the result."""
    if kind not in KL_KINDS:
        raise ValueError(f"unknown KL estimator {kind!r}; known: {', '.join(KL_KINDS)}")
    log_ratio = (logprobs - ref_logprobs).clamp(-clamp, clamp)
    if kind == "k1":
        kl = log_ratio
    elif kind == "k2":
        kl = 0.5 * log_ratio ** 2
    else:
        kl = torch.exp(-log_ratio) + log_ratio - 1.0
    return kl.clamp(-clamp, clamp)


def kl_loss(logprobs: Tensor, ref_logprobs: Tensor, kl_coef: Tensor, mask: Tensor, kind: str = "k3",
            num_tokens: float | None = None) -> Tensor:
    """Token-level mean of kl_coef[b] * KL[b, t]; logprobs, ref_logprobs, mask [B, T]; kl_coef [B]
    (each sample's task coefficient). Gradients flow through `logprobs` only."""
    kl = kl_estimate(_f32(_valid(logprobs, mask)), _f32(_valid(ref_logprobs.detach(), mask)), kind)
    return _token_mean(kl_coef.detach().to(kl.dtype)[:, None] * kl, mask, num_tokens)


def token_rewards(scores: Tensor, mask: Tensor, kl: Tensor | None = None,
                  kl_coef: Tensor | None = None) -> Tensor:
    """Per-token rewards [B, T]: scores [B] on each row's last valid token, 0 elsewhere; with kl
    [B, T] and kl_coef [B], -kl_coef[b] * kl[b, t] on every valid token. In the loop go through
    `apply_kl`, which decides whether kl is passed here."""
    T = mask.shape[1]
    pos = torch.arange(1, T + 1, device=mask.device, dtype=mask.dtype)
    last = (mask * pos).argmax(dim=1)                     # highest valid index (right padding)
    has_tokens = mask.sum(1) > 0
    rewards = torch.zeros(mask.shape, dtype=scores.dtype, device=mask.device)
    rewards[torch.arange(mask.shape[0], device=mask.device), last] = torch.where(
        has_tokens, scores.detach(), torch.zeros_like(scores))
    if kl is not None:
        if kl_coef is None:
            raise ValueError("token_rewards: kl given without kl_coef")
        rewards = rewards - kl_coef.detach().to(rewards.dtype)[:, None] * _valid(kl.detach(), mask)
    return _valid(rewards, mask)


def apply_kl(mode: str, stage: str, logprobs: Tensor, ref_logprobs: Tensor, kl_coef: Tensor,
             mask: Tensor, kind: str = "k3", scores: Tensor | None = None,
             num_tokens: float | None = None) -> Tensor:
    """THE place where KL to the reference policy enters training (mode in loss | reward | none).

    stage="rewards" (once per step, before advantages; logprobs = the rollout's old logprobs,
        scores [B] required): returns per-token rewards [B, T]; they carry -kl_coef * KL on every
        token iff mode == "reward".
    stage="loss" (in every update; logprobs = current, with grad): returns a scalar to add to the
        policy loss: kl_coef * KL (token-level mean) iff mode == "loss", else 0.
    With either mode the KL is therefore applied exactly once; "none" applies it nowhere.
    """
    if mode not in KL_MODES:
        raise ValueError(f"unknown kl_mode {mode!r}; known: {', '.join(KL_MODES)}")
    if stage == "rewards":
        if scores is None:
            raise ValueError("apply_kl(stage='rewards') needs scores [B]")
        if mode != "reward":
            return token_rewards(scores, mask)
        return token_rewards(scores, mask, kl_estimate(_valid(logprobs, mask), _valid(ref_logprobs, mask), kind),
                             kl_coef)
    if stage == "loss":
        if mode != "loss":
            return torch.zeros((), dtype=logprobs.dtype, device=logprobs.device)
        return kl_loss(logprobs, ref_logprobs, kl_coef, mask, kind, num_tokens)
    raise ValueError(f"unknown stage {stage!r}; known: rewards, loss")


# ---------------------------------------------------------------------------- GAE
def gae(rewards: Tensor, values: Tensor, mask: Tensor, gamma: float = 1.0,
        lam: float | Tensor = 0.95) -> tuple[Tensor, Tensor]:
    """Generalised advantage estimation over right-padded rows; rewards, values, mask [B, T];
    lam a float or a per-sequence [B] tensor. The value after a row's last valid token is 0.
    delta_t = r_t + gamma V_{t+1} - V_t;  A_t = delta_t + gamma lam A_{t+1};  returns = A + V.
    Returns (advantages [B, T], returns [B, T]), detached, 0 at masked positions."""
    with torch.no_grad():
        r, v, m = _valid(rewards, mask), _valid(values, mask), mask.to(rewards.dtype)
        lam_t = torch.as_tensor(lam, dtype=r.dtype, device=r.device).expand(r.shape[0])
        adv = torch.zeros_like(r)
        next_v = torch.zeros_like(r[:, 0])
        next_a = torch.zeros_like(r[:, 0])
        for t in reversed(range(r.shape[1])):
            delta = r[:, t] + gamma * next_v - v[:, t]
            next_a = (delta + gamma * lam_t * next_a) * m[:, t]
            next_v = v[:, t] * m[:, t]
            adv[:, t] = next_a
        return adv, _valid(adv + v, mask)


def adaptive_lambda(mask: Tensor, alpha: float = 0.05) -> Tensor:
    """VAPO's length-adaptive lambda per sequence: 1 - 1/(alpha * length), clamped to [0, 1]; [B]."""
    length = mask.sum(1).clamp_min(1.0)
    return (1.0 - 1.0 / (alpha * length)).clamp(0.0, 1.0)


def decoupled_gae(rewards: Tensor, values: Tensor, mask: Tensor, lam_critic: float = 1.0,
                  lam_policy: float | str = 0.95, alpha: float = 0.05,
                  gamma: float = 1.0) -> tuple[Tensor, Tensor]:
    """GAE with one lambda for the policy and another for the critic; inputs [B, T].
    Returns (advantages with lam_policy, returns with lam_critic), both [B, T].
    lam_policy="adaptive": per sequence 1 - 1/(alpha * length) (see adaptive_lambda)."""
    if lam_policy == "adaptive":
        lam_policy = adaptive_lambda(mask, alpha)
    elif isinstance(lam_policy, str):
        raise ValueError(f"lam_policy must be a number or 'adaptive', got {lam_policy!r}")
    advantages, _ = gae(rewards, values, mask, gamma, lam_policy)
    _, returns = gae(rewards, values, mask, gamma, lam_critic)
    return advantages, returns


# ---------------------------------------------------------------------------- value loss
def explained_variance(values: Tensor, returns: Tensor, mask: Tensor) -> Tensor:
    """1 - Var(returns - values) / Var(returns) over valid tokens (detached); NaN if Var(returns)=0."""
    with torch.no_grad():
        var_r = masked_var(returns, mask)
        if var_r <= 1e-12:
            return torch.full((), float("nan"), device=values.device)
        return 1.0 - masked_var(_valid(returns, mask) - _valid(values, mask), mask) / var_r


def value_loss(values: Tensor, old_values: Tensor, returns: Tensor, mask: Tensor,
               clip: float | None = 0.2, num_tokens: float | None = None) -> tuple[Tensor, dict[str, Tensor]]:
    """Clipped value loss, all inputs [B, T]: v_clip = old + clamp(v - old, -clip, clip);
    per token 0.5 * max((v - R)^2, (v_clip - R)^2); token-level mean. clip=None: unclipped.
    Gradients flow only through `values`. stats: value_clip_frac, explained_variance, value_mean."""
    v = _f32(_valid(values, mask))
    old, ret = _f32(_valid(old_values.detach(), mask)), _f32(_valid(returns.detach(), mask))
    unclipped = (v - ret) ** 2
    if clip is None:
        per_token, clipped = unclipped, unclipped
    else:
        clipped = (old + (v - old).clamp(-clip, clip) - ret) ** 2
        per_token = torch.maximum(unclipped, clipped)
    loss = 0.5 * _token_mean(per_token, mask, num_tokens)
    stats = {"value_clip_frac": masked_mean((clipped > unclipped).float(), mask).detach(),
             "explained_variance": explained_variance(v, ret, mask),
             "value_mean": masked_mean(v, mask).detach()}
    return loss, stats


# ---------------------------------------------------------------------------- critic-free baselines
def _group_index(group_ids: Tensor | Sequence[Hashable], device) -> Tensor:
    if not isinstance(group_ids, Tensor):
        seen: dict = {}
        group_ids = torch.tensor([seen.setdefault(g, len(seen)) for g in group_ids])
    return torch.unique(group_ids.to(device), return_inverse=True)[1]


def _group_sums(x: Tensor, index: Tensor) -> Tensor:
    return torch.zeros(int(index.max()) + 1, dtype=x.dtype, device=x.device).index_add_(0, index, x)


def grpo_advantages(scores: Tensor, group_ids, mask: Tensor, eps: float = 1e-6,
                    std_normalise: bool = True) -> Tensor:
    """GRPO: (score - group mean) / (group std + eps), std unbiased (as TRL and verl); scores [B],
    group_ids [B] (ints or any hashables, one group per prompt) -> [B, T] broadcast over valid
    tokens. A group of one gets 0."""
    s = scores.detach().to(mask.dtype)
    idx = _group_index(group_ids, s.device)
    count = _group_sums(torch.ones_like(s), idx)
    mean = (_group_sums(s, idx) / count)[idx]
    adv = s - mean
    if std_normalise:
        var = _group_sums(adv ** 2, idx) / (count - 1).clamp_min(1.0)
        adv = adv / (var.sqrt()[idx] + eps)
    return _valid(adv[:, None].expand_as(mask), mask)


def rloo_advantages(scores: Tensor, group_ids, mask: Tensor) -> Tensor:
    """RLOO: score - mean of the other samples of its group; scores [B] -> [B, T] broadcast over
    valid tokens. A group of one gets 0."""
    s = scores.detach().to(mask.dtype)
    idx = _group_index(group_ids, s.device)
    count = _group_sums(torch.ones_like(s), idx)[idx]
    others = (_group_sums(s, idx)[idx] - s) / (count - 1).clamp_min(1.0)
    adv = torch.where(count > 1, s - others, torch.zeros_like(s))
    return _valid(adv[:, None].expand_as(mask), mask)


ESTIMATORS = ("gae", "grpo", "rloo")


def compute_advantages(estimator: str, rewards: Tensor, mask: Tensor, values: Tensor | None = None,
                       group_ids=None, *, gamma: float = 1.0, lam_critic: float = 1.0,
                       lam_policy: float | str = 0.95, alpha: float = 0.05,
                       whiten: bool | None = None) -> tuple[Tensor, Tensor | None]:
    """One interface for every advantage estimator; rewards [B, T] (from apply_kl(stage="rewards")).
    "gae": decoupled GAE with the critic's values [B, T] -> (advantages, returns for the critic).
    "grpo" / "rloo": critic-free; each sequence's score is its summed token rewards (the score,
    minus the KL penalty in reward mode), grouped by group_ids [B] -> (advantages, None).
    whiten: normalise advantages over the batch's valid tokens (default True for gae only; the
    group baselines are already centred)."""
    if estimator not in ESTIMATORS:
        raise ValueError(f"unknown advantage estimator {estimator!r}; known: {', '.join(ESTIMATORS)}")
    returns = None
    if estimator == "gae":
        if values is None:
            raise ValueError("estimator 'gae' needs values [B, T] from the critic")
        advantages, returns = decoupled_gae(rewards, values, mask, lam_critic, lam_policy, alpha, gamma)
    else:
        if group_ids is None:
            raise ValueError(f"estimator {estimator!r} needs group_ids [B]")
        scores = _valid(rewards, mask).sum(1)
        fn = grpo_advantages if estimator == "grpo" else rloo_advantages
        advantages = fn(scores, group_ids, mask)
    if whiten if whiten is not None else estimator == "gae":
        advantages = masked_whiten(advantages, mask)
    return advantages, returns


def entropy_from_logits(logits: Tensor, mask: Tensor) -> Tensor:
    """Token-level mean entropy (nats) of the next-token distributions; logits [B, T, V], mask [B, T]."""
    z = torch.where(mask.bool()[..., None], logits, torch.zeros((), dtype=logits.dtype, device=logits.device))
    logp = torch.log_softmax(_f32(z), dim=-1)
    ent = -(logp.exp() * logp).sum(-1)
    return masked_mean(ent, mask)
