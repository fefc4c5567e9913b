import pytest
import torch

from model.load import load_vlm
from model.value import ScalarModel
from sft.data import collate, make_example
from tasks import generate_suite, load_suite


def batch_for(processor, tmp_path):
    generate_suite(tmp_path / "d", tasks=["count"], n_train=2, n_heldout=1)
    items = load_suite(tmp_path / "d", "train")
    return collate([make_example(processor, it, it.target) for it in items], processor.tokenizer.pad_token_id)


def test_critic_from_policy_values_train_and_round_trip(tiny_model_dir, tmp_path):
    policy, processor = load_vlm(tiny_model_dir)
    critic = ScalarModel.from_policy(policy)
    batch = batch_for(processor, tmp_path)
    batch.pop("labels")
    values = critic(**batch)
    assert values.shape == batch["input_ids"].shape
    assert torch.count_nonzero(values) == 0          # zero head: the critic starts at 0
    # the backbone is a copy: training the critic leaves the policy alone
    before = {n: p.detach().clone() for n, p in policy.named_parameters()}
    opt = torch.optim.SGD(critic.parameters(), lr=0.1)
    for _ in range(3):
        loss = ((critic(**batch) - 1.0) ** 2).mean()
        opt.zero_grad(); loss.backward(); opt.step()
    assert all(torch.equal(p, before[n]) for n, p in policy.named_parameters())
    assert critic.head.weight.abs().sum() > 0
    scores = critic.score(**batch)
    assert scores.shape == (2,)
    saved = critic.save(tmp_path / "critic", source_dir=tiny_model_dir)
    again = ScalarModel.load(saved)
    assert torch.allclose(again.score(**batch), scores, atol=1e-5)


def test_pooled_scores_sum_and_mean_the_response_values_and_survive_save(tiny_model_dir, tmp_path):
    policy, processor = load_vlm(tiny_model_dir)
    batch = batch_for(processor, tmp_path)
    response = batch.pop("labels") != -100
    for pool in ("sum", "mean"):
        rm = ScalarModel.from_policy(policy, pool=pool)
        torch.nn.init.normal_(rm.head.weight, std=0.1)
        with torch.no_grad():
            values = rm(**batch)
            got = rm.score(response_mask=response, **batch)
        want = [values[i][response[i]].sum() for i in range(2)]
        if pool == "mean":
            want = [w / response[i].sum() for i, w in enumerate(want)]
        assert torch.allclose(got, torch.stack(want), atol=1e-6)
        again = ScalarModel.load(rm.save(tmp_path / pool, source_dir=tiny_model_dir))
        assert again.pool == pool
        assert torch.allclose(again.score(response_mask=response, **batch), got, atol=1e-5)
    with pytest.raises(ValueError, match="response_mask"):
        rm.score(**batch)
    with pytest.raises(ValueError, match="pool must be"):
        ScalarModel.from_policy(policy, pool="max")
