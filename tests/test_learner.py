"""The learner's update goes the right way: after one step, samples with a positive advantage are
more likely and samples with a negative one less likely (HF generate, in-process Learner)."""
import pytest
import torch

from rl.batch import token_logprobs
from rl.learner import Learner, StepInputs
from rl.passes import pass_inputs
from rl.rollout import RolloutWorker
from rl.schema import ModelConfig, PPOConfig, RolloutConfig
from tasks import generate_suite, load_suite


@pytest.fixture(scope="module")
def batch(tiny_model_dir, tmp_path_factory):
    data = tmp_path_factory.mktemp("learner_data")
    generate_suite(data, tasks=["count"], n_train=2, n_heldout=1)
    items = load_suite(data, "train")
    worker = RolloutWorker(str(tiny_model_dir), RolloutConfig(engine="hf", n=8, max_tokens=6))
    return worker.generate(items[:1])


def seq_logprobs(learner, batch) -> torch.Tensor:
    with torch.no_grad():
        inputs = batch.model_inputs(learner.processor)
        return token_logprobs(learner.policy, inputs).sum(1)


@pytest.mark.parametrize("estimator", ["grpo", "gae"])
def test_one_step_raises_the_rewarded_samples_and_lowers_the_others(tiny_model_dir, batch, estimator):
    cfg = PPOConfig(estimator=estimator, lr=1e-4, warmup_steps=0, minibatches=1)
    learner = Learner(str(tiny_model_dir), cfg, ModelConfig(path=str(tiny_model_dir)), threads=1)
    scores = torch.tensor([1.0] * 4 + [-1.0] * 4)
    before = seq_logprobs(learner, batch)
    stats = learner.step(batch, StepInputs(scores, torch.zeros(8)))
    change = seq_logprobs(learner, batch) - before
    assert all(torch.isfinite(torch.tensor(v)) for v in stats.values() if isinstance(v, float))
    assert change[:4].mean() > 0 > change[4:].mean(), change


def test_bf16_autocast_keeps_log_probs_close_and_still_learns(tiny_model_dir, batch):
    """`ppo.autocast: bf16`: the learner's log-probs stay within bf16 rounding of the fp32 ones
    (so PPO ratios against the sampler's log-probs start near 1), weights stay fp32, and the
    update still goes the right way."""
    cfg = PPOConfig(estimator="grpo", lr=1e-4, warmup_steps=0, minibatches=1, autocast="bf16")
    learner = Learner(str(tiny_model_dir), cfg, ModelConfig(path=str(tiny_model_dir)), threads=1)
    inputs = batch.model_inputs(learner.processor)
    with torch.no_grad():
        mixed, _ = learner.passes["policy"](**pass_inputs(inputs))
    exact = token_logprobs(learner.policy, inputs)
    diff = ((mixed - exact) * inputs.response_mask).abs().max()
    assert 0 < diff < 0.1, diff        # bf16 changes them, but only by rounding
    before = seq_logprobs(learner, batch)
    stats = learner.step(batch, StepInputs(torch.tensor([1.0] * 4 + [-1.0] * 4), torch.zeros(8)))
    change = seq_logprobs(learner, batch) - before
    assert all(p.dtype == torch.float32 for p in learner.policy.parameters())
    assert stats["clip_frac"] < 0.5 and change[:4].mean() > 0 > change[4:].mean(), (stats, change)


def _params(model) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def _step(tiny_model_dir, batch, train_policy=True, **kw):
    cfg = PPOConfig(lr=1e-3, critic_lr=1e-3, warmup_steps=0, micro_batch_size=4, **kw)
    learner = Learner(str(tiny_model_dir), cfg, ModelConfig(path=str(tiny_model_dir)), seed=0, threads=1)
    scores = torch.tensor([1.0, -1.0, 0.5, -0.5, 1.0, 0.0, -1.0, 0.25])
    stats = learner.step(batch, StepInputs(scores, torch.full((8,), 0.05), train_policy))
    return learner, stats


def test_values_from_the_critics_update_equal_a_forward_of_their_own(tiny_model_dir, batch):
    """`ppo.values_in_update`: with one minibatch the critic's training forward runs at the same
    weights as the separate no-grad forward it replaces, so the whole step is the same: the same
    losses, and the same policy and critic afterwards (up to rounding, which Adam's first step can
    turn into a step of up to lr either way on a few elements)."""
    runs = {flag: _step(tiny_model_dir, batch, minibatches=1, values_in_update=flag) for flag in (True, False)}
    (a, sa), (b, sb) = runs[True], runs[False]
    for k in ("loss/value", "loss/policy", "loss/kl", "entropy", "explained_variance", "advantage_mean",
              "return_mean", "grad_norm/critic", "grad_norm/policy"):
        assert sa[k] == pytest.approx(sb[k], rel=1e-3, abs=1e-5), k
    for name, x, y in (("policy", a.policy, b.policy), ("critic", a.critic, b.critic)):
        d = (_params(x) - _params(y)).abs()
        assert float((d > 1e-5).float().mean()) < 0.01 and float(d.max()) <= 2e-3, name


def test_values_in_update_with_minibatches_and_value_warmup(tiny_model_dir, batch):
    """Two minibatches: the critic takes two steps, the policy two. A critic-only step (value
    pre-training) changes the critic and leaves the policy exactly as it was."""
    fresh = Learner(str(tiny_model_dir), PPOConfig(), ModelConfig(path=str(tiny_model_dir)), seed=0, threads=1)
    learner, stats = _step(tiny_model_dir, batch, minibatches=2)
    assert learner.updates == 2 and all(torch.isfinite(torch.tensor(stats[k])) for k in ("loss/value", "loss/policy"))
    warm, wstats = _step(tiny_model_dir, batch, train_policy=False, minibatches=2)
    assert torch.equal(_params(warm.policy), _params(fresh.policy)) and warm.updates == 0
    assert not torch.equal(_params(warm.critic), _params(fresh.critic))
    assert "loss/policy" not in wstats and wstats["loss/value"] > 0


@pytest.mark.parametrize("critic", [None, True])
def test_critic_free_estimators_skip_the_critic_unless_asked(tiny_model_dir, batch, critic, tmp_path):
    """grpo (like rloo) needs no values: by default (`ppo.critic: null`) the critic takes no pass and
    stays exactly as built, and a critic-only step (value pre-training) has no critic to train, so
    it trains the policy; `ppo.critic: true` keeps the critic learning the score-to-go."""
    fresh = Learner(str(tiny_model_dir), PPOConfig(), ModelConfig(path=str(tiny_model_dir)), seed=0, threads=1)
    learner, stats = _step(tiny_model_dir, batch, train_policy=critic is not None, estimator="grpo", critic=critic)
    assert not torch.equal(_params(learner.policy), _params(fresh.policy)) and "loss/policy" in stats
    assert torch.equal(_params(learner.critic), _params(fresh.critic)) is (critic is None)
    assert ("loss/value" in stats) is bool(critic) and ("return_mean" in stats) is bool(critic)
    learner.save(str(tmp_path / "ckpt"))   # an untrained critic (no optimiser state) saves and resumes
    resumed = Learner(str(tiny_model_dir), learner.cfg, ModelConfig(path=str(tiny_model_dir)), seed=0, threads=1,
                      checkpoint_dir=str(tmp_path / "ckpt"))
    assert resumed.updates == learner.updates and torch.equal(_params(resumed.critic), _params(learner.critic))


def test_gae_without_a_critic_is_a_config_error():
    with pytest.raises(ValueError, match="critic-free ppo.estimator"):
        PPOConfig(estimator="gae", critic=False)
    assert PPOConfig(estimator="rloo").trains_critic is False and PPOConfig().trains_critic is True


def test_eager_attention_gives_the_sdpa_log_probs(tiny_model_dir, batch):
    """`ppo.attention` picks the learner's attention kernel (auto: eager on CPU); eager and SDPA agree
    to rounding."""
    out = {}
    for kernel in ("auto", "sdpa"):
        learner = Learner(str(tiny_model_dir), PPOConfig(attention=kernel), ModelConfig(path=str(tiny_model_dir)),
                          threads=1)
        assert learner.policy.config._attn_implementation == {"auto": "eager"}.get(kernel, kernel)   # on CPU
        inputs = batch.model_inputs(learner.processor)
        with torch.no_grad():
            out[kernel] = learner.passes["policy"](**pass_inputs(inputs))[0]
    assert torch.allclose(out["auto"], out["sdpa"], atol=1e-4)
