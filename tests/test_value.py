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
