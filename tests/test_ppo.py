"""rl/ppo.py against values computed by hand (the arithmetic is in the comments).

NaN sits in masked positions of the inputs throughout: it must never reach a loss or a gradient.
"""
import math

import pytest
import torch

from rl import ppo

NAN = float("nan")
LN = math.log


def t(rows, grad=False):
    return torch.tensor(rows, dtype=torch.float64, requires_grad=grad)


# A 2x3 batch: row 0 has 3 valid tokens, row 1 has 1.
MASK = t([[1, 1, 1], [1, 0, 0]])


def close(a, b, tol=1e-9):
    torch.testing.assert_close(torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64),
                               atol=tol, rtol=0)


# ------------------------------------------------------------------ masked_mean / whiten
def test_masked_mean_all_and_per_row_ignores_masked_nan():
    x = t([[1, 2, 3], [4, NAN, float("inf")]])
    mask = t([[1, 1, 0], [1, 0, 0]])
    close(ppo.masked_mean(x, mask), 7 / 3)                 # (1 + 2 + 4) / 3
    close(ppo.masked_mean(x, mask, dim=1), [1.5, 4.0])     # (1 + 2) / 2, 4 / 1
    close(ppo.masked_mean(x, torch.zeros_like(mask)), 0.0)  # empty selection -> 0


def test_masked_whiten_uses_batch_valid_tokens():
    # valid tokens 1, 3, 5, 7: mean 4, population var (9 + 1 + 1 + 9) / 4 = 5
    x = t([[1, 3, NAN], [5, 7, 1e30]])
    mask = t([[1, 1, 0], [1, 1, 0]])
    s5 = math.sqrt(5)
    close(ppo.masked_whiten(x, mask), [[-3 / s5, -1 / s5, 0], [1 / s5, 3 / s5, 0]], tol=1e-6)


# ------------------------------------------------------------------ policy loss
def _policy_batch():
    # token (0,0): ratio 1,    A = +1 -> -A*r = -1                       (no clip)
    # token (0,1): ratio 1.5,  A = +2 -> max(-3, -2*1.28 = -2.56) = -2.56 (clip-high active)
    # token (0,2): ratio 0.5,  A = -1 -> max(0.5, 1*0.8 = 0.8) = 0.8      (clip-low active)
    # token (1,0): ratio 1.25, A = +1 -> -1.25 (inside [0.8, 1.28]; with eps_high 0.2 it would clip at 1.2)
    # tokens (1,1), (1,2): masked, NaN logprobs and a huge advantage
    logp = t([[0.0, LN(1.5), LN(0.5)], [LN(1.25), NAN, NAN]], grad=True)
    old = t([[0.0, 0.0, 0.0], [0.0, 0.0, NAN]], grad=True)
    adv = t([[1.0, 2.0, -1.0], [1.0, 1e30, NAN]], grad=True)
    return logp, old, adv


def test_policy_loss_clip_higher_token_level_mean():
    logp, old, adv = _policy_batch()
    loss, stats = ppo.policy_loss(logp, old, adv, MASK)
    close(loss, (-1 - 2.56 + 0.8 - 1.25) / 4)              # -1.0025: token-level over 4 tokens
    close(stats["clip_frac"], 2 / 4)                       # tokens (0,1) and (0,2)
    close(stats["ratio_mean"], (1 + 1.5 + 0.5 + 1.25) / 4)  # 1.0625
    close(stats["ratio_max"], 1.5)
    # KL(old || new) k3: r - 1 - ln r per token
    kl = (0) + (0.5 - LN(1.5)) + (-0.5 - LN(0.5)) + (0.25 - LN(1.25))
    close(stats["approx_kl"], kl / 4)
    # symmetric eps (0.2/0.2): token (1,0) now clips to -1.2
    loss_sym, stats_sym = ppo.policy_loss(logp, old, adv, MASK, eps_high=0.2)
    close(loss_sym, (-1 - 2.4 + 0.8 - 1.2) / 4)            # (0,1): -2 * 1.2 = -2.4
    close(stats_sym["clip_frac"], 3 / 4)


def test_policy_loss_is_token_level_not_sequence_level():
    logp, old, adv = _policy_batch()
    loss, _ = ppo.policy_loss(logp, old, adv, MASK)
    seq_level = ((-1 - 2.56 + 0.8) / 3 + (-1.25) / 1) / 2   # -1.085: mean of per-row means
    assert abs(loss.item() - seq_level) > 0.05
    close(loss, -1.0025)


def test_policy_loss_gradients_only_through_logprobs():
    logp, old, adv = _policy_batch()
    loss, _ = ppo.policy_loss(logp, old, adv, MASK)
    loss.backward()
    # d/dlogp of -A*r = -A*r where the unclipped term is active, 0 where clipped; / 4 tokens
    close(logp.grad, [[-1 / 4, 0, 0], [-1.25 / 4, 0, 0]])
    assert old.grad is None and adv.grad is None


def test_policy_loss_dual_clip_caps_negative_advantages():
    mask = t([[1, 1, 1, 0]])
    # (0,0): A=-1, r=5 -> max(5, 1.28) = 5, capped at 3*|A| = 3
    # (0,1): A=-1, r=2 -> max(2, 1.28) = 2 < 3, unchanged
    # (0,2): A=+1, r=5 -> max(-5, -1.28) = -1.28; dual clip never touches A > 0
    logp = t([[LN(5), LN(2), LN(5), NAN]], grad=True)
    old = t([[0.0, 0.0, 0.0, 0.0]])
    adv = t([[-1.0, -1.0, 1.0, -1e30]])
    loss, stats = ppo.policy_loss(logp, old, adv, mask, dual_clip=3.0)
    close(loss, (3 + 2 - 1.28) / 3)                        # 1.24
    close(stats["dual_clip_frac"], 1 / 3)
    loss_plain, _ = ppo.policy_loss(logp, old, adv, mask)
    close(loss_plain, (5 + 2 - 1.28) / 3)
    loss.backward()
    close(logp.grad, [[0, 2 / 3, 0, 0]])                   # capped and clipped tokens carry no gradient
    with pytest.raises(ValueError, match="dual_clip"):
        ppo.policy_loss(logp, old, adv, mask, dual_clip=1.0)


def test_micro_batches_with_num_tokens_sum_to_full_batch_loss():
    logp, old, adv = _policy_batch()
    full, _ = ppo.policy_loss(logp, old, adv, MASK)
    parts = [ppo.policy_loss(logp[i:i + 1], old[i:i + 1], adv[i:i + 1], MASK[i:i + 1], num_tokens=4)[0]
             for i in range(2)]
    close(parts[0] + parts[1], full)                       # (-2.76)/4 + (-1.25)/4


# ------------------------------------------------------------------ KL
def test_kl_estimators_by_hand():
    # p = 0.5, q = 0.25: log p - log q = ln 2
    #   k1 = ln 2 = 0.6931, k2 = 0.5 (ln 2)^2 = 0.2402, k3 = q/p - 1 - ln(q/p) = 0.5 - 1 + ln 2 = 0.1931
    # p = 0.25, q = 0.5: log ratio = -ln 2: k1 = -0.6931, k2 = 0.2402, k3 = 2 - 1 - ln 2 = 0.3069
    # p = q: all 0
    logp = t([[LN(0.5), LN(0.25), LN(0.3)]])
    ref = t([[LN(0.25), LN(0.5), LN(0.3)]])
    close(ppo.kl_estimate(logp, ref, "k1"), [[LN(2), -LN(2), 0]])
    close(ppo.kl_estimate(logp, ref, "k2"), [[0.5 * LN(2) ** 2, 0.5 * LN(2) ** 2, 0]])
    close(ppo.kl_estimate(logp, ref, "k3"), [[LN(2) - 0.5, 1 - LN(2), 0]])
    with pytest.raises(ValueError, match="k1, k2, k3"):
        ppo.kl_estimate(logp, ref, "k4")


def test_kl_estimate_is_clamped():
    # log ratio +100 -> clamped to 10: k1 = 10, k2 = 50 -> 10, k3 = e^-10 + 10 - 1 = 9.0000454
    # log ratio -100 -> -10: k3 = e^10 - 10 - 1 = 22015 -> 10
    logp, ref = t([[0.0, -100.0]]), t([[-100.0, 0.0]])
    close(ppo.kl_estimate(logp, ref, "k1"), [[10.0, -10.0]])
    close(ppo.kl_estimate(logp, ref, "k2"), [[10.0, 10.0]])
    close(ppo.kl_estimate(logp, ref, "k3"), [[math.exp(-10) + 9, 10.0]])


def test_kl_loss_per_sample_coefficient_token_mean():
    # k1 per token: row 0 -> 0.5, 1.0 (coef 0.1, e.g. RLHF); row 1 -> 2.0 (coef 0.01, RLVR); 1 masked
    # loss = (0.1*0.5 + 0.1*1.0 + 0.01*2.0) / 3 = 0.17 / 3
    logp = t([[0.5, 1.0], [2.0, NAN]], grad=True)
    ref = t([[0.0, 0.0], [0.0, NAN]], grad=True)
    mask = t([[1, 1], [1, 0]])
    coef = t([0.1, 0.01])
    loss = ppo.kl_loss(logp, ref, coef, mask, kind="k1")
    close(loss, 0.17 / 3)
    loss.backward()
    close(logp.grad, [[0.1 / 3, 0.1 / 3], [0.01 / 3, 0]])  # d k1 / d logp = 1, times coef / 3 tokens
    assert ref.grad is None


def test_token_rewards_score_on_last_valid_token_and_kl_on_every_token():
    scores = t([2.0, -1.0])
    close(ppo.token_rewards(scores, MASK), [[0, 0, 2], [-1, 0, 0]])
    kl = t([[0.1, 0.2, 0.3], [0.4, NAN, NAN]])
    coef = t([1.0, 0.5])
    # row 0: -1*0.1, -1*0.2, 2 - 1*0.3 = 1.7; row 1: -1 - 0.5*0.4 = -1.2
    close(ppo.token_rewards(scores, MASK, kl, coef), [[-0.1, -0.2, 1.7], [-1.2, 0, 0]])
    empty = t([[1, 1, 0], [0, 0, 0]])                      # a row with no tokens gets nothing
    close(ppo.token_rewards(scores, empty), [[0, 2, 0], [0, 0, 0]])


def test_apply_kl_applies_kl_exactly_once_per_mode():
    # k1 = logp - ref = 0.5 on every valid token; coef [0.2, 0.4]; 4 valid tokens
    logp = t([[0.5, 0.5, 0.5], [0.5, NAN, NAN]], grad=True)
    ref = t([[0.0, 0.0, 0.0], [0.0, NAN, NAN]])
    coef, scores = t([0.2, 0.4]), t([1.0, 3.0])
    plain = [[0, 0, 1], [3, 0, 0]]
    penalised = [[-0.1, -0.1, 0.9], [3 - 0.2, 0, 0]]      # -coef * 0.5 on every token
    kl_term = (0.2 * 0.5 * 3 + 0.4 * 0.5) / 4              # 0.5 / 4 = 0.125
    expected = {"reward": (penalised, 0.0), "loss": (plain, kl_term), "none": (plain, 0.0)}
    for mode, (rewards, loss) in expected.items():
        got_r = ppo.apply_kl(mode, "rewards", logp.detach(), ref, coef, MASK, kind="k1", scores=scores)
        got_l = ppo.apply_kl(mode, "loss", logp, ref, coef, MASK, kind="k1")
        close(got_r, rewards)
        close(got_l, loss)
    ppo.apply_kl("loss", "loss", logp, ref, coef, MASK, kind="k1").backward()
    assert torch.isfinite(logp.grad).all()
    with pytest.raises(ValueError, match="loss, reward, none"):
        ppo.apply_kl("both", "loss", logp, ref, coef, MASK)
    with pytest.raises(ValueError, match="stage"):
        ppo.apply_kl("loss", "advantages", logp, ref, coef, MASK)
    with pytest.raises(ValueError, match="scores"):
        ppo.apply_kl("reward", "rewards", logp, ref, coef, MASK)


# ------------------------------------------------------------------ GAE
# Row 0: 3 tokens, score 1 on the last; row 1: 2 tokens, score 2 on the last; (1,2) masked.
GAE_MASK = t([[1, 1, 1], [1, 1, 0]])
GAE_R = t([[0, 0, 1], [0, 2, NAN]])
GAE_V = t([[0.5, 0.2, 0.4], [1.0, 0.5, NAN]])


def test_gae_lambda_one_is_reward_to_go_minus_value():
    # reward-to-go: row 0 [1, 1, 1], row 1 [2, 2]; A = RTG - V
    adv, ret = ppo.gae(GAE_R, GAE_V, GAE_MASK, gamma=1.0, lam=1.0)
    close(adv, [[0.5, 0.8, 0.6], [1.0, 1.5, 0]])
    close(ret, [[1, 1, 1], [2, 2, 0]])


def test_gae_lambda_zero_is_td_error():
    # delta_t = r_t + V_{t+1} - V_t, V after the last token = 0
    # row 0: 0 + 0.2 - 0.5 = -0.3, 0 + 0.4 - 0.2 = 0.2, 1 + 0 - 0.4 = 0.6
    # row 1: 0 + 0.5 - 1.0 = -0.5, 2 + 0 - 0.5 = 1.5
    adv, ret = ppo.gae(GAE_R, GAE_V, GAE_MASK, gamma=1.0, lam=0.0)
    close(adv, [[-0.3, 0.2, 0.6], [-0.5, 1.5, 0]])
    # returns = A + V = r_t + V_{t+1}: row 0 [0 + 0.2, 0 + 0.4, 1 + 0], row 1 [0 + 0.5, 2 + 0]
    close(ret, [[0.2, 0.4, 1.0], [0.5, 2.0, 0]])


def test_gae_intermediate_lambda_and_gamma():
    # lam 0.5: row 0 A2 = 0.6, A1 = 0.2 + 0.5*0.6 = 0.5, A0 = -0.3 + 0.5*0.5 = -0.05
    #          row 1 A1 = 1.5, A0 = -0.5 + 0.5*1.5 = 0.25
    adv, _ = ppo.gae(GAE_R, GAE_V, GAE_MASK, lam=0.5)
    close(adv, [[-0.05, 0.5, 0.6], [0.25, 1.5, 0]])
    # gamma 0.5, lam 1: row 0 = discounted return - V: [0.25 - 0.5, 0.5 - 0.2, 1 - 0.4]
    adv, _ = ppo.gae(GAE_R, GAE_V, GAE_MASK, gamma=0.5, lam=1.0)
    close(adv[0], [-0.25, 0.3, 0.6])
    # per-sequence lambda [0, 1]: row 0 TD errors, row 1 reward-to-go minus value
    adv, _ = ppo.gae(GAE_R, GAE_V, GAE_MASK, lam=t([0.0, 1.0]))
    close(adv, [[-0.3, 0.2, 0.6], [1.0, 1.5, 0]])


def test_decoupled_gae_critic_returns_are_final_score():
    # lam_critic = 1, gamma = 1, reward only on the last token: every return = that row's score
    # lam_policy 0.95: row 0 A2 = 0.6, A1 = 0.2 + 0.95*0.6 = 0.77, A0 = -0.3 + 0.95*0.77 = 0.4315
    #                  row 1 A1 = 1.5, A0 = -0.5 + 0.95*1.5 = 0.925
    values = GAE_V.clone().requires_grad_(True)
    adv, ret = ppo.decoupled_gae(GAE_R, values, GAE_MASK, lam_critic=1.0, lam_policy=0.95)
    close(ret, [[1, 1, 1], [2, 2, 0]])
    close(adv, [[0.4315, 0.77, 0.6], [0.925, 1.5, 0]])
    assert not adv.requires_grad and not ret.requires_grad  # targets carry no gradient


def test_adaptive_lambda_by_hand():
    # 1 - 1/(0.05 * L): L=20 -> 1 - 1 = 0; L=40 -> 0.5; L=200 -> 0.9; L=10 -> 1 - 2 = -1 -> clamp 0
    lengths = [20, 40, 200, 10]
    mask = t([[1] * n + [0] * (200 - n) for n in lengths])
    close(ppo.adaptive_lambda(mask, alpha=0.05), [0.0, 0.5, 0.9, 0.0])


def test_decoupled_gae_adaptive_lambda():
    # values 0, reward 1 on the last token; row 0 length 20 -> lam 0 -> A = TD error = [0 ... 0, 1]
    # row 1 length 40 -> lam 0.5 -> A_t = 0.5^(39 - t)
    mask = t([[1] * 20 + [0] * 20, [1] * 40])
    rewards = torch.zeros_like(mask)
    rewards[0, 19] = rewards[1, 39] = 1.0
    adv, ret = ppo.decoupled_gae(rewards, torch.zeros_like(mask), mask, lam_policy="adaptive", alpha=0.05)
    close(adv[0], [0.0] * 19 + [1.0] + [0.0] * 20)
    close(adv[1], [0.5 ** (39 - i) for i in range(40)])
    close(ret, mask)                                        # lam_critic 1: every return = score 1
    with pytest.raises(ValueError, match="adaptive"):
        ppo.decoupled_gae(rewards, rewards, mask, lam_policy="auto")


# ------------------------------------------------------------------ value loss
def test_value_loss_clipped_by_hand():
    # (0,0): v=1.0, old=0.5, R=2: unclipped (1-2)^2 = 1, v_clip = 0.5+0.2 = 0.7 -> 1.69; max 1.69
    # (0,1): v=0.6, old=0.5, R=0: both 0.36
    # (1,0): v=0.0, old=0.5, R=0: unclipped 0, v_clip = 0.3 -> 0.09; max 0.09
    # loss = 0.5 * (1.69 + 0.36 + 0.09) / 3 = 0.5 * 2.14 / 3
    values = t([[1.0, 0.6], [0.0, NAN]], grad=True)
    old = t([[0.5, 0.5], [0.5, NAN]], grad=True)
    ret = t([[2.0, 0.0], [0.0, 1e30]], grad=True)
    mask = t([[1, 1], [1, 0]])
    loss, stats = ppo.value_loss(values, old, ret, mask, clip=0.2)
    close(loss, 0.5 * 2.14 / 3)
    close(stats["value_clip_frac"], 2 / 3)
    close(stats["value_mean"], 1.6 / 3)
    # explained variance: Var(R) over [2, 0, 0] = 8/9; R - V = [1, -0.6, 0]: E[x^2] = 1.36/3,
    # mean 0.4/3 -> var 1.36/3 - 0.16/9 = 0.435556; EV = 1 - 0.435556 * 9/8 = 1 - 0.49 = 0.51
    close(stats["explained_variance"], 0.51)
    loss.backward()
    # clipped tokens (clamp saturated) get no gradient; (0,1): 0.5 * 2 * (0.6 - 0) / 3 = 0.2
    close(values.grad, [[0.0, 0.2], [0.0, 0.0]])
    assert old.grad is None and ret.grad is None
    loss_plain, _ = ppo.value_loss(values, old, ret, mask, clip=None)
    close(loss_plain, 0.5 * (1 + 0.36 + 0) / 3)


def test_explained_variance_edges():
    mask = t([[1, 1, 1]])
    close(ppo.explained_variance(t([[1, 2, 3]]), t([[1, 2, 3]]), mask), 1.0)   # perfect
    close(ppo.explained_variance(t([[2, 2, 2]]), t([[1, 2, 3]]), mask), 1.0 - 1.0)  # Var(R-V) = Var(R)
    assert math.isnan(ppo.explained_variance(t([[0, 1, 2]]), t([[1, 1, 1]]), mask).item())


# ------------------------------------------------------------------ critic-free baselines
def test_grpo_advantages_by_hand():
    mask = t([[1, 1], [1, 0], [1, 1], [1, 0]])
    # one group, scores [1, 0, 1, 0]: mean 0.5, unbiased std sqrt(4 * 0.25 / 3) = 0.57735
    # -> +-0.5 / 0.57735 = +-0.866025, broadcast to the valid tokens
    adv = ppo.grpo_advantages(t([1, 0, 1, 0]), torch.tensor([7, 7, 7, 7]), mask)
    a = 0.5 / math.sqrt(1 / 3)
    close(adv, [[a, a], [-a, 0], [a, a], [-a, 0]], tol=1e-5)
    # two groups [1, 0] (mean 0.5, std sqrt(0.5) -> +-0.7071) and [1, 1] (no spread -> 0)
    adv = ppo.grpo_advantages(t([1, 0, 1, 1]), ["p0", "p0", "p1", "p1"], mask)
    close(adv[:, 0], [0.5 / math.sqrt(0.5), -0.5 / math.sqrt(0.5), 0, 0], tol=1e-5)
    close(ppo.grpo_advantages(t([1, 0, 1, 0]), [0, 0, 0, 0], mask, std_normalise=False)[:, 0],
          [0.5, -0.5, 0.5, -0.5])
    close(ppo.grpo_advantages(t([5.0]), [0], t([[1, 1]])), [[0, 0]])   # a group of one -> 0


def test_rloo_advantages_by_hand():
    mask = t([[1, 1], [1, 0], [1, 1], [1, 1]])
    # [1, 0, 1, 0]: sample 0 baseline (0+1+0)/3 = 1/3 -> 2/3; sample 1 baseline (1+1+0)/3 -> -2/3
    adv = ppo.rloo_advantages(t([1, 0, 1, 0]), [0, 0, 0, 0], mask)
    close(adv[:, 0], [2 / 3, -2 / 3, 2 / 3, -2 / 3])
    close(adv[1, 1], 0.0)                                   # masked token
    # groups [3, 1, 2] and [5]: 3 - (1+2)/2 = 1.5, 1 - (3+2)/2 = -1.5, 2 - (3+1)/2 = 0; singleton -> 0
    adv = ppo.rloo_advantages(t([3, 1, 2, 5]), torch.tensor([0, 0, 0, 1]), mask)
    close(adv[:, 0], [1.5, -1.5, 0, 0])


def test_compute_advantages_dispatch():
    scores = t([1.0, 0.0])
    rewards = ppo.token_rewards(scores, GAE_MASK)
    values = GAE_V
    adv, ret = ppo.compute_advantages("gae", rewards, GAE_MASK, values, whiten=False, lam_policy=0.0)
    close(adv, [[-0.3, 0.2, 0.6], [-0.5, -0.5, 0]])        # row 1 scored 0: TD errors -0.5, 0 - 0.5
    close(ret, [[1, 1, 1], [0, 0, 0]])
    adv, _ = ppo.compute_advantages("gae", rewards, GAE_MASK, values)   # whitened by default
    close(ppo.masked_mean(adv, GAE_MASK), 0.0)
    close(ppo.masked_var(adv, GAE_MASK), 1.0, tol=1e-6)
    # critic-free: score = summed token rewards (KL penalty included in reward mode)
    penalised = ppo.token_rewards(scores, GAE_MASK, kl=torch.full_like(GAE_MASK, 0.1), kl_coef=t([1.0, 1.0]))
    # sums: 1 - 0.3 = 0.7 and 0 - 0.2 = -0.2 -> RLOO: 0.7 - (-0.2) = 0.9, -0.9
    adv, ret = ppo.compute_advantages("rloo", penalised, GAE_MASK, group_ids=[0, 0])
    assert ret is None
    close(adv, [[0.9, 0.9, 0.9], [-0.9, -0.9, 0]])
    adv, _ = ppo.compute_advantages("grpo", rewards, GAE_MASK, group_ids=[0, 0])
    a = 0.5 / (math.sqrt(0.5) + 1e-6)
    close(adv, [[a, a, a], [-a, -a, 0]])
    with pytest.raises(ValueError, match="gae, grpo, rloo"):
        ppo.compute_advantages("ppo", rewards, GAE_MASK)
    with pytest.raises(ValueError, match="values"):
        ppo.compute_advantages("gae", rewards, GAE_MASK)
    with pytest.raises(ValueError, match="group_ids"):
        ppo.compute_advantages("grpo", rewards, GAE_MASK)


# ------------------------------------------------------------------ entropy
def test_entropy_from_logits_by_hand():
    # token (0,0): uniform over 2 -> ln 2; token (0,1): p = [0.25, 0.75] -> -(0.25 ln 0.25 + 0.75 ln 0.75)
    logits = t([[[0.0, 0.0], [0.0, LN(3)]], [[NAN, NAN], [1e30, -1e30]]], grad=True)
    mask = t([[1, 1], [0, 0]])
    h = -(0.25 * LN(0.25) + 0.75 * LN(0.75))               # 0.562335
    ent = ppo.entropy_from_logits(logits, mask)
    close(ent, (LN(2) + h) / 2)
    ent.backward()
    assert torch.isfinite(logits.grad).all()


# ------------------------------------------------------------------ masked positions never count
@pytest.mark.parametrize("pad", [0.0, NAN, float("inf"), -1e30])
def test_masked_positions_never_contribute(pad):
    logp, old, adv = _policy_batch()
    fill = lambda x: torch.where(MASK.bool(), x.detach(), torch.full_like(x, pad)).requires_grad_(True)
    lp = fill(logp)
    loss, stats = ppo.policy_loss(lp, fill(old), fill(adv), MASK, dual_clip=3.0)
    kl = ppo.kl_loss(lp, fill(old), t([0.1, 0.2]), MASK)
    vloss, _ = ppo.value_loss(lp, fill(old), fill(adv), MASK)
    a, r = ppo.gae(fill(adv), fill(old), MASK)
    total = loss + kl + vloss
    close(loss, -1.0025)
    assert all(torch.isfinite(x).all() for x in (total, a, r, *stats.values()))
    total.backward()
    assert torch.isfinite(lp.grad).all() and (lp.grad[~MASK.bool()] == 0).all()


def test_bf16_logprobs_are_upcast_before_exp():
    # log ratio 0.01 -> ratio e^0.01 = 1.01005; computed in bf16 the exp would round to 1.0078
    lp = t([[-1.0]]).to(torch.bfloat16).requires_grad_(True)
    old = lp.detach().double() - 0.01
    loss, stats = ppo.policy_loss(lp, old, t([[1.0]]), t([[1.0]]))
    assert loss.dtype == torch.float64 and lp.grad is None
    close(stats["ratio_mean"], math.exp(lp.detach().double().item() - old.item()), tol=1e-6)
