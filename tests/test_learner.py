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
