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


def test_image_match_by_hand():
    """ImageMatch: per head, logsumexp over the image tokens of q(token) . k(image token) / sqrt(dim)
    less log(number of image tokens), weighted by the token's gate; 0 in a sequence without image
    tokens."""
    from model.value import ImageMatch

    m = ImageMatch(hidden=2, heads=1, dim=1)
    with torch.no_grad():
        m.q.weight.copy_(torch.tensor([[1.0, 0.0]]))        # q = x0
        m.k.weight.copy_(torch.tensor([[0.0, 1.0]]))        # k = x1
        m.gate.weight.copy_(torch.tensor([[0.0, 0.0]]))
        m.gate.bias.fill_(2.0)                              # gate 2 everywhere
    h = torch.tensor([[[0.0, 1.0], [0.0, 3.0], [2.0, 0.0]],      # two image tokens (k = 1, 3), one word (q = 2)
                      [[1.0, 0.0], [2.0, 0.0], [0.0, 0.0]]])     # no image token
    mask = torch.tensor([[True, True, False], [False, False, False]])
    out = m(h, mask)
    lse = lambda q: torch.logsumexp(torch.tensor([q * 1.0, q * 3.0]), 0) - torch.log(torch.tensor(2.0))   # noqa: E731
    assert torch.allclose(out[0], 2 * torch.stack([lse(0.0), lse(0.0), lse(2.0)]))
    assert torch.equal(out[1], torch.zeros(3))


def test_image_match_window_queries_with_the_tokens_before():
    """window 2: the query of token t reads [x_t, x_(t-1)] (zeros before the first token)."""
    from model.value import ImageMatch

    m = ImageMatch(hidden=1, heads=1, dim=1, window=2)
    with torch.no_grad():
        m.q.weight.copy_(torch.tensor([[1.0, 10.0]]))       # q_t = x_t + 10 x_(t-1)
        m.k.weight.fill_(1.0)                               # k = x
        m.gate.weight.zero_()
        m.gate.bias.fill_(1.0)
    h = torch.tensor([[[1.0], [-1.0], [2.0], [3.0]]])        # two image tokens (k = 1, -1), two words
    out = m(h, torch.tensor([[True, True, False, False]]))
    lse = lambda q: torch.logsumexp(torch.tensor([q, -q]), 0) - torch.log(torch.tensor(2.0))   # noqa: E731
    assert torch.allclose(out[0], torch.stack([lse(1.0), lse(9.0), lse(-8.0), lse(23.0)]))
    with pytest.raises(ValueError, match="window"):
        ImageMatch(hidden=1, window=0)


@pytest.mark.parametrize("window", [1, 3])
def test_match_head_starts_as_the_linear_head_learns_and_survives_save(tiny_model_dir, tmp_path, window):
    policy, processor = load_vlm(tiny_model_dir)
    batch = batch_for(processor, tmp_path)
    response = batch.pop("labels") != -100
    rm = ScalarModel.from_policy(policy, pool="mean", head="match", match_window=window)
    assert torch.count_nonzero(rm(**batch)) == 0          # zero gate and head: nothing at the start
    q0 = rm.match.q.weight.detach().clone()
    opt = torch.optim.Adam(rm.parameters(), lr=1e-2)
    for _ in range(3):
        loss = ((rm.score(response_mask=response, **batch) - torch.tensor([1.0, -1.0])) ** 2).mean()
        opt.zero_grad(); loss.backward(); opt.step()
    assert rm.match.gate.weight.abs().sum() > 0 and not torch.equal(rm.match.q.weight, q0)   # once gated, q learns
    with torch.no_grad():
        got = rm.score(response_mask=response, **batch)
    again = ScalarModel.load(rm.save(tmp_path / "m", source_dir=tiny_model_dir))
    assert again.head_kind == "match" and again.match.window == window
    assert torch.allclose(again.score(response_mask=response, **batch), got, atol=1e-5)
    with pytest.raises(ValueError, match="head must be"):
        ScalarModel.from_policy(policy, head="mlp")


def test_tally_by_hand():
    """Tally: minus the sum over tallies of (sum over response tokens of w . x + b)^2; a tally that
    counts listed items and subtracts a stated number is 0 when they agree."""
    from model.value import Tally

    t = Tally(hidden=2, k=1)
    with torch.no_grad():
        t.proj.weight.copy_(torch.tensor([[1.0, -1.0]]))    # +1 per "item" token, minus a "number" token's value
        t.proj.bias.zero_()
    item, two, three = [1.0, 0.0], [0.0, 2.0], [0.0, 3.0]
    x = torch.tensor([[two, item, item, [9.0, 9.0]],        # states 2, lists 2; the last token is not response
                      [three, item, item, [9.0, 9.0]]])     # states 3, lists 2
    mask = torch.tensor([[True, True, True, False]] * 2)
    assert torch.allclose(t(x, mask), torch.tensor([0.0, -1.0]))
    with pytest.raises(ValueError, match="k >= 1"):
        Tally(hidden=2, k=0)


def test_tally_adds_to_the_pooled_score_learns_and_survives_save(tiny_model_dir, tmp_path):
    policy, processor = load_vlm(tiny_model_dir)
    batch = batch_for(processor, tmp_path)
    response = batch.pop("labels") != -100
    rm = ScalarModel.from_policy(policy, pool="mean", head="match", tally=3)
    with torch.no_grad():
        values = rm(**batch)
        feats = rm.features(**batch)
        want = rm.pool_values(values, batch["attention_mask"], response) + rm.tally(feats["embeds"], response)
        assert torch.allclose(rm.score(response_mask=response, **batch), want, atol=1e-6)
    w0 = rm.tally.proj.weight.detach().clone()
    opt = torch.optim.Adam(rm.parameters(), lr=1e-2)
    for _ in range(3):
        loss = ((rm.score(response_mask=response, **batch) - torch.tensor([1.0, -1.0])) ** 2).mean()
        opt.zero_grad(); loss.backward(); opt.step()
    assert not torch.equal(rm.tally.proj.weight, w0)
    with torch.no_grad():
        got = rm.score(response_mask=response, **batch)
    again = ScalarModel.load(rm.save(tmp_path / "t", source_dir=tiny_model_dir))
    assert again.tally.proj.out_features == 3
    assert torch.allclose(again.score(response_mask=response, **batch), got, atol=1e-5)
    with pytest.raises(ValueError, match="tally needs a response_mask"):
        ScalarModel.from_policy(policy, pool="last", tally=1).score(**batch)
    with pytest.raises(ValueError, match="tally must be"):
        ScalarModel.from_policy(policy, tally=-1)
