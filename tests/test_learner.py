"""The learner's update goes the right way: after one step, samples with a positive advantage are
more likely and samples with a negative one less likely (HF generate, in-process Learner)."""
import pytest
import torch

from rl.batch import token_logprobs
from rl.learner import Learner, StepInputs
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
