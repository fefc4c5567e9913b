"""Prefix sharing (model/prefix.py): each prompt computed once for its samples gives the log-probs,
values and gradients of full forwards, on batches with images, several images per prompt (the
temporal task's frames) and responses of different lengths."""
import pytest
import torch

from model.load import load_vlm
from model.prefix import prefix_forward, split_rows, to_layout
from model.prompts import load_images, prompt_text
from model.value import ScalarModel
from rl.batch import Rollout
from rl.learner import Learner, StepInputs
from rl.passes import shift_values
from rl.schema import ModelConfig, PPOConfig
from tasks import generate_suite, load_suite


def rollout(processor, items, n: int, seed: int = 0) -> Rollout:
    """n samples of random text tokens (1-7 of them) per item."""
    gen = torch.Generator().manual_seed(seed)
    fields = {k: [] for k in ("sample_ids", "tasks", "prompt_ids", "response_ids", "logprobs", "texts",
                              "finish_reasons")}
    group = []
    for g, item in enumerate(items):
        ids = processor(text=[prompt_text(processor, item)], images=load_images(item) or None,
                        return_tensors="pt")["input_ids"][0]
        for k in range(n):
            resp = torch.randint(20, 300, (int(torch.randint(1, 8, (), generator=gen)),), generator=gen)
            group.append(g)
            fields["sample_ids"].append(f"{item.id}#{k}")
            fields["tasks"].append(item.task)
            fields["prompt_ids"].append(ids)
            fields["response_ids"].append(resp)
            fields["logprobs"].append(torch.zeros(len(resp)))
            fields["texts"].append("")
            fields["finish_reasons"].append("length")
    return Rollout(items=items, group=torch.tensor(group), **fields)


@pytest.fixture(scope="module")
def setup(tiny_model_dir, tmp_path_factory):
    data = tmp_path_factory.mktemp("prefix_data")
    generate_suite(data, tasks=["count", "temporal", "math"], n_train=2, n_heldout=1)
    items = load_suite(data, "train")
    model, processor = load_vlm(str(tiny_model_dir), dtype=torch.float32)
    r = rollout(processor, items, 3)
    return model, processor, r, r.model_inputs(processor)


def full_logprobs(model, inputs):
    logp = model(**inputs.forward_kwargs()).logits[:, :-1].float().log_softmax(-1)
    out = torch.zeros_like(inputs.old_logprobs)
    out[:, 1:] = logp.gather(-1, inputs.input_ids[:, 1:, None])[..., 0]
    return out * inputs.response_mask


def shared_logprobs(model, inputs, group):
    hidden, tokens, valid = prefix_forward(model.model, inputs.input_ids, inputs.attention_mask,
                                           inputs.response_mask, group, inputs.pixel_values,
                                           inputs.image_grid_thw, inputs.mm_token_type_ids)
    logp = model.lm_head(hidden).float().log_softmax(-1).gather(-1, tokens[..., None])[..., 0]
    return to_layout(logp, valid, inputs.response_mask)


def test_log_probs_and_gradients_match_full_forwards(setup):
    model, _, r, inputs = setup
    assert len({int(x) for x in inputs.response_mask.sum(1)}) > 1        # ragged responses
    assert inputs.image_grid_thw.shape[0] > len(r)                        # some prompts have several images
    model.zero_grad()
    full = full_logprobs(model, inputs)
    (full * torch.linspace(0.5, 1.5, full.shape[0])[:, None]).sum().backward()
    want = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    model.zero_grad()
    shared = shared_logprobs(model, inputs, r.group)
    (shared * torch.linspace(0.5, 1.5, full.shape[0])[:, None]).sum().backward()
    assert torch.allclose(shared, full, atol=1e-5), (shared - full).abs().max()
    assert set(want) == {n for n, p in model.named_parameters() if p.grad is not None}
    assert any(n.startswith("model.visual") for n in want)               # the vision tower gets its gradient
    for n, p in model.named_parameters():
        if n in want:
            assert torch.allclose(p.grad, want[n], rtol=1e-4, atol=1e-6), n


def test_critic_values_match_the_full_forward(setup, tiny_model_dir):
    model, _, r, inputs = setup
    critic = ScalarModel.from_policy(model)
    torch.nn.init.normal_(critic.head.weight, std=0.1)
    with torch.no_grad():
        want = shift_values(critic(**inputs.forward_kwargs()), inputs.response_mask)
        hidden, _, valid = prefix_forward(critic.backbone, inputs.input_ids, inputs.attention_mask,
                                          inputs.response_mask, r.group, inputs.pixel_values,
                                          inputs.image_grid_thw, inputs.mm_token_type_ids)
        got = to_layout(critic.head(hidden).squeeze(-1), valid, inputs.response_mask)
    assert torch.allclose(got, want, atol=1e-5)


def test_a_group_split_over_rows_in_any_order(setup):
    """Rows of a group need not be adjacent; a group of one is a plain forward."""
    model, _, r, inputs = setup
    perm = torch.tensor([4, 0, 7, 3, 1, 8, 2, 6, 5] + list(range(9, len(r))))
    from rl.learner import _rows
    n_images = [len(load_images(it)) for it in r.sample_items()]
    inputs.group = r.group
    mb = _rows(inputs, perm.tolist(), n_images)
    inputs.group = None
    with torch.no_grad():
        assert torch.allclose(shared_logprobs(model, mb, mb.group), full_logprobs(model, mb), atol=1e-5)
        single = torch.arange(len(perm))
        assert torch.allclose(shared_logprobs(model, mb, single), full_logprobs(model, mb), atol=1e-5)


def test_split_rows_rejects_what_it_cannot_share():
    att = torch.tensor([[1, 1, 1, 1, 0], [1, 1, 1, 0, 0]])
    resp = torch.tensor([[0, 0, 1, 1, 0], [0, 0, 1, 0, 0]]).float()
    sp = split_rows(resp, att, torch.tensor([5, 5]))
    assert sp.prompt_len.tolist() == [2, 2] and sp.resp_len.tolist() == [2, 1] and sp.firsts == [0]
    with pytest.raises(ValueError, match="no response"):
        split_rows(torch.tensor([[0, 0, 1, 1, 0], [0, 0, 0, 0, 0]]).float(), att, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="contiguous"):
        split_rows(torch.tensor([[0, 1, 0, 1, 0], [0, 0, 1, 0, 0]]).float(), att, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="different lengths"):
        split_rows(torch.tensor([[0, 1, 1, 1, 0], [0, 0, 1, 0, 0]]).float(), att, torch.tensor([0, 0]))


def test_learner_step_is_the_same_with_and_without_prefix_sharing(setup, tiny_model_dir):
    _, _, r, _ = setup
    stats = {}
    after = {}
    for share in (True, False):
        cfg = PPOConfig(lr=1e-3, warmup_steps=0, minibatches=1, micro_batch_size=4, share_prefix=share)
        learner = Learner(str(tiny_model_dir), cfg, ModelConfig(path=str(tiny_model_dir)), seed=0, threads=1)
        scores = torch.linspace(-1, 1, len(r))
        stats[share] = learner.step(r, StepInputs(scores, torch.full((len(r),), 0.05)))
        after[share] = torch.cat([p.detach().flatten() for p in learner.policy.parameters()])
    for k in ("loss/value", "loss/policy", "loss/kl", "entropy"):
        assert stats[True][k] == pytest.approx(stats[False][k], rel=1e-3, abs=1e-5), k
    # equal up to rounding; Adam's first step turns a rounding-level gradient (about 0) into a step
    # of up to lr either way, so a few elements may differ by up to 2 x lr
    d = (after[True] - after[False]).abs()
    assert float((d > 1e-5).float().mean()) < 0.01 and float(d.max()) <= 2e-3
