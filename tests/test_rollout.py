"""Rollout batch, prompt preparation, weight-sync bookkeeping and the HF engine (fast), and vLLM
rollout workers in a real local Ray cluster (slow: --runslow): generation with images, n samples,
log-prob agreement with the HF forward, in-place weight sync, worker restart, bad input."""
import os
import sys

import pytest
import torch

from model.prompts import load_images, prompt_text
from rl.batch import Rollout, token_logprobs
from rl.engines import Sampling
from rl.rollout import PromptTooLongError, RolloutWorker, placeholder_ids, prepare_prompts, shard
from rl.schema import RolloutConfig
from rl.sync import WeightSync, block_of, from_wire, state_from_wire, state_to_wire, to_wire
from tasks.suite import generate_suite, load_suite

# vLLM fp32 vs HF fp32 on the tiny VLM: measured max ~1e-6 (unperturbed) and ~2e-5 after a large
# perturbation (bigger logits); anything near 1e-3 would mean different weights or inputs.
LOGPROB_TOL = 1e-3
BF16_TOL = 0.15      # a bf16 engine against the float32 forward (measured: max 0.04-0.07)


@pytest.fixture(scope="module")
def items(tmp_path_factory):
    """One train item of every task (the temporal one has several frames), plus a second count item."""
    out = tmp_path_factory.mktemp("suite")
    generate_suite(out, n_train=2, n_heldout=1, seed=0)
    every = load_suite(out, "train")
    return every[:6] + every[6:7]


@pytest.fixture(scope="module")
def hf(tiny_model_dir):
    from model.load import load_vlm

    return load_vlm(tiny_model_dir)


def fake_rollout(lengths=((3, 2), (4, 1), (2, 3)), groups=(0, 0, 1), version=0) -> Rollout:
    ids = iter(range(100, 1000))
    prompt = [torch.tensor([next(ids) for _ in range(p)]) for p, _ in lengths]
    response = [torch.tensor([next(ids) for _ in range(r)]) for _, r in lengths]
    return Rollout(items=[{"id": f"i{g}", "task": "count"} for g in sorted(set(groups))],
                   group=torch.tensor(groups), sample_ids=[f"s{b}" for b in range(len(lengths))],
                   tasks=["count"] * len(lengths), prompt_ids=prompt, response_ids=response,
                   logprobs=[-torch.arange(1, r + 1, dtype=torch.float32) for _, r in lengths],
                   texts=["t"] * len(lengths), finish_reasons=["stop"] * len(lengths), policy_version=version)


def test_to_padded_aligns_logprobs_with_response_tokens():
    r = fake_rollout()
    p = r.to_padded(pad_id=0)
    assert p.input_ids.shape == (3, 5)
    assert p.input_ids[0].tolist() == r.prompt_ids[0].tolist() + r.response_ids[0].tolist()
    assert p.attention_mask.tolist() == [[1] * 5, [1] * 5, [1] * 5]
    assert p.response_mask[1].tolist() == [0, 0, 0, 0, 1]
    assert p.old_logprobs[2].tolist() == [0, 0, -1, -2, -3]
    short = fake_rollout(lengths=((2, 1), (3, 3)), groups=(0, 1)).to_padded(pad_id=7)
    assert short.input_ids[0, 3:].tolist() == [7, 7, 7] and short.attention_mask[0].tolist() == [1, 1, 1, 0, 0, 0]


def test_concat_and_split_keep_groups_together():
    a, b = fake_rollout(), fake_rollout(groups=(0, 1, 1))
    both = Rollout.concat([a, b])
    assert len(both) == 6 and len(both.items) == 4
    assert both.group.tolist() == [0, 0, 1, 2, 3, 3]
    assert [len(x) for x in both.split(2)] == [3, 3]
    first, second = both.split(2)
    assert first.group.tolist() == [0, 0, 1] and second.group.tolist() == [0, 1, 1]
    assert [t.tolist() for t in second.response_ids] == [t.tolist() for t in b.response_ids]
    with pytest.raises(ValueError, match="different weight versions"):
        Rollout.concat([a, fake_rollout(version=3)])


def test_rollout_rejects_mismatched_fields():
    r = fake_rollout()
    with pytest.raises(ValueError, match="s1.*log-probs"):
        Rollout(**{**r.__dict__, "logprobs": [r.logprobs[0], r.logprobs[0], r.logprobs[2]]})
    with pytest.raises(ValueError, match="texts"):
        Rollout(**{**r.__dict__, "texts": ["only one"]})


def test_shard_is_contiguous_and_even():
    assert shard(list(range(7)), 3) == [[0, 1], [2, 3, 4], [5, 6]]
    assert shard([1], 2) == [[], [1]]


def test_block_of_groups_fused_layers():
    assert block_of("model.language_model.layers.3.self_attn.q_proj.weight") == "model.language_model.layers.3"
    assert block_of("model.visual.blocks.0.attn.qkv.bias") == "model.visual.blocks.0"
    assert block_of("lm_head.weight") == "lm_head"
    assert block_of("model.visual.merger.mlp.0.weight") == "model.visual.merger.mlp.0"


@pytest.mark.parametrize("detect", ["version", "values"])
def test_weight_sync_finds_changed_blocks(hf, detect):
    model = hf[0]
    state = model.state_dict()
    sync = WeightSync(detect=detect)
    sync.mark_loaded(state)
    assert sync.changed_blocks(model.state_dict()) == []
    q = model.model.language_model.layers[1].self_attn.q_proj.weight
    original = q.detach().clone()
    with torch.no_grad():
        q.add_(1.0)
        try:
            changed = sync.changed_blocks(model.state_dict())
        finally:
            q.copy_(original)
    assert changed and all(n.startswith("model.language_model.layers.1.") for n in changed)
    assert "model.language_model.layers.1.mlp.up_proj.weight" in changed  # the whole block travels


def test_weight_sync_compares_new_tensors_by_value(hf):
    state = {k: v.detach().clone() for k, v in hf[0].state_dict().items()}
    sync = WeightSync()
    sync.mark_loaded(state)
    fresh = {k: v.clone() for k, v in state.items()}  # e.g. a state dict that came through Ray
    assert sync.changed_blocks(fresh) == []
    fresh["lm_head.weight"][0, 0] += 1.0
    assert sync.changed_blocks(fresh) == ["lm_head.weight"]


def test_wire_format_round_trips_any_dtype():
    for t in (torch.randn(3, 4), torch.randn(5).to(torch.bfloat16), torch.tensor(2.5), torch.arange(6)):
        back = from_wire(to_wire(t))
        assert back.dtype == t.dtype and back.shape == t.shape and torch.equal(back, t)


@pytest.mark.slow
def test_a_state_dict_crosses_ray_as_numpy_and_reads_back_without_a_copy(ray_cluster):
    import numpy as np

    ray = ray_cluster
    state = {"a.weight": torch.randn(4, 3), "b.bias": torch.randn(2).to(torch.bfloat16)}
    wire = ray.get(ray.put(state_to_wire(state)))      # what the learner actor returns
    assert all(isinstance(w[0], np.ndarray) for w in wire.values())
    back = state_from_wire(wire)
    assert list(back) == list(state)
    for name, t in state.items():
        assert back[name].dtype == t.dtype and torch.equal(back[name], t)
        assert back[name].untyped_storage().data_ptr() == wire[name][0].ctypes.data   # a view, no copy
    sync = WeightSync()
    sync.mark_loaded(state)
    assert sync.changed_blocks(back) == []            # equal values in new storage: nothing to send


def test_prompt_ids_match_the_hf_processor(hf, items):
    processor = hf[1]
    prompts, skipped = prepare_prompts(processor, items, max_model_len=4096)
    assert not skipped and len(prompts) == len(items)
    assert any(len(p.images) > 1 for p in prompts)  # a temporal item: frames with timestamps
    for p in prompts:
        ref = processor(text=[prompt_text(processor, p.item)], images=load_images(p.item), return_tensors="pt")
        assert p.prompt_ids == ref.input_ids[0].tolist(), p.item.id


def test_long_prompt_error_names_the_sample_or_skips_it(hf, items):
    processor = hf[1]
    lengths = [len(p.prompt_ids) for p in prepare_prompts(processor, items, 4096)[0]]
    limit = sorted(lengths)[-1]  # the longest prompt is exactly max_model_len: no room to generate
    longest = items[lengths.index(limit)].id
    with pytest.raises(PromptTooLongError, match=f"{longest}.*{limit} tokens"):
        prepare_prompts(processor, items, limit)
    prompts, skipped = prepare_prompts(processor, items, limit, long_prompts="skip")
    assert skipped == [longest] and len(prompts) == len(items) - 1


def test_unreadable_image_error_names_the_sample(hf, items, tmp_path):
    broken = load_suite(items[0].image_root, "train")[0]
    broken.image_root = tmp_path  # the PNG is not there
    with pytest.raises(ValueError, match=broken.id):
        prepare_prompts(hf[1], [items[1], broken], 4096)


def check_rollout(r: Rollout, items, n: int, processor, max_tokens: int):
    assert len(r) == n * len(items) and len(r.items) == len(items)
    assert r.group.tolist() == [g for g in range(len(items)) for _ in range(n)]
    assert r.sample_ids[:n] == [f"{items[0].id}#{k}" for k in range(n)]
    assert r.tasks == [it.task for it in items for _ in range(n)]
    banned = set(placeholder_ids(processor))
    for b in range(len(r)):
        resp = r.response_ids[b].tolist()
        assert 0 < len(resp) <= max_tokens and not banned & set(resp)
        assert torch.isfinite(r.logprobs[b]).all() and (r.logprobs[b] <= 0).all()
        decoded = processor.tokenizer.decode(resp, skip_special_tokens=True)
        assert r.texts[b].rstrip("\ufffd") == decoded.rstrip("\ufffd")  # vLLM holds back a partial char
        assert r.finish_reasons[b] == ("length" if len(resp) == max_tokens else "stop")


def logprob_diff(model, processor, r: Rollout, logprobs=None) -> tuple[float, float]:
    """(max, mean) |given log-probs - HF forward log-probs| over every response token."""
    inputs = r.model_inputs(processor)
    with torch.no_grad():
        ref = token_logprobs(model, inputs)[inputs.response_mask.bool()]
    given = torch.cat(logprobs if logprobs is not None else r.logprobs)
    diff = (given - ref).abs()
    return diff.max().item(), diff.mean().item()


def test_hf_engine_generates_n_samples_with_matching_logprobs(tiny_model_dir, hf, items):
    config = RolloutConfig(engine="hf", n=2, max_tokens=12, max_model_len=512)
    worker = RolloutWorker(str(tiny_model_dir), config)  # in this process, no Ray
    r = worker.generate(items)
    check_rollout(r, items, 2, hf[1], 12)
    assert len({t for t in r.texts}) > len(items)  # samples of one prompt differ
    max_diff, _ = logprob_diff(hf[0], hf[1], r)
    assert max_diff < LOGPROB_TOL
    greedy = worker.generate(items[:2], n=1, sampling=Sampling(temperature=0.0, max_tokens=5))
    assert len(greedy) == 2 and all(len(x) <= 5 for x in greedy.response_ids)
    check_repetition_penalty(worker.generate, items[:2])


def check_repetition_penalty(generate, items):
    """Greedy with a huge repetition penalty never picks a token already in the prompt or the
    answer (a seen token's positive logit is divided by it, a negative one multiplied), while
    plain greedy on the random tiny model repeats itself."""
    plain = generate(items, n=1, sampling=Sampling(temperature=0.0, max_tokens=16))
    assert any(len(set(r.tolist())) < len(r) for r in plain.response_ids)
    penalised = generate(items, n=1, sampling=Sampling(temperature=0.0, max_tokens=16, repetition_penalty=1e4))
    for prompt, resp in zip(penalised.prompt_ids, penalised.response_ids):
        resp = resp.tolist()
        assert resp and len(set(resp)) == len(resp) and not set(resp) & set(prompt.tolist())


# ---------------------------------------------------------------- slow: Ray + vLLM on the tiny VLM

@pytest.fixture(scope="module")
def ray_cluster():
    import ray

    if ray.is_initialized():   # another test module's cluster: start ours afresh
        ray.shutdown()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def group(ray_cluster, tiny_model_dir, hf):
    from rl.rollout import RolloutGroup

    config = RolloutConfig(workers=2, cpus_per_worker=0.5, n=3, max_tokens=16, max_model_len=512,
                           max_restarts=2)  # leaves one of the cluster's 2 CPUs for other actors
    g = RolloutGroup(tiny_model_dir, config)
    g.sync.mark_loaded(hf[0].state_dict())  # the engines loaded these weights from disk
    try:
        yield g
    finally:
        g.close()


@pytest.mark.slow
def test_vllm_generates_n_samples_with_images_and_matching_logprobs(group, hf, items):
    model, processor = hf
    r = group.generate(items)
    check_rollout(r, items, 3, processor, 16)
    for g, item in enumerate(items):  # the engine saw exactly the HF processor's prompt tokens
        ref = processor(text=[prompt_text(processor, item)], images=load_images(item), return_tensors="pt")
        assert r.prompt_ids[3 * g].tolist() == ref.input_ids[0].tolist()
    check_repetition_penalty(group.generate, items)
    max_diff, mean_diff = logprob_diff(model, processor, r)
    print(f"\nvLLM sampling vs HF forward log-probs: max {max_diff:.2e}, mean {mean_diff:.2e} "
          f"over {sum(len(x) for x in r.response_ids)} tokens")
    assert max_diff < LOGPROB_TOL


@pytest.mark.slow
def test_weight_sync_makes_vllm_match_the_new_weights(group, hf, items):
    model, processor = hf
    fixed = group.generate(items[:4], n=1)
    before = group.score(fixed)
    assert logprob_diff(model, processor, fixed, before)[0] < LOGPROB_TOL
    perturb(model, seed=1)
    update = group.push(model)
    assert update.version == group.sync.version and update.parts
    assert not any(".visual.blocks.1." in n for n in update.names)  # unchanged blocks stay home
    for rank in range(len(group.workers)):
        after = group.score(fixed, rank=rank)
        assert logprob_diff(model, processor, fixed, after)[0] < LOGPROB_TOL
        assert (torch.cat(after) - torch.cat(before)).abs().max() > 0.1
    assert group.generate(items[:2], n=1).policy_version == update.version


@pytest.mark.slow
def test_bf16_engine_follows_the_float32_learner_within_bf16_rounding(ray_cluster, tiny_model_dir, hf, items):
    """`rollout.dtype: bfloat16` with float32 learner weights: the engine's sampling log-probs and
    its weights after a sync agree with the float32 forward to bf16 rounding, not exactly."""
    from rl.rollout import RolloutGroup

    model, processor = hf
    config = RolloutConfig(workers=1, cpus_per_worker=0.5, n=2, max_tokens=16, max_model_len=512,
                           dtype="bfloat16")
    g = RolloutGroup(tiny_model_dir, config, dtype="float32")   # config.dtype wins
    try:
        g.push(model)                    # whatever earlier tests left in `model`, all of it
        r = g.generate(items[:4])
        assert logprob_diff(model, processor, r)[0] < BF16_TOL
        fixed = g.generate(items[:4], n=1)
        before = g.score(fixed)
        perturb(model, seed=2)
        g.push(model)
        after = g.score(fixed)
        assert logprob_diff(model, processor, fixed, after)[0] < BF16_TOL
        assert (torch.cat(after) - torch.cat(before)).abs().max() > 0.1
    finally:
        g.close()


@pytest.mark.slow
def test_killed_worker_restarts_with_the_latest_weights(group, hf, items):
    import ray

    model, processor = hf
    perturb(model, seed=2)
    group.push(model)
    victim = group.workers[0]
    pid = ray.get(victim.pid.remote())
    restarts = group.restarts
    ray.get(victim.__ray_call__.remote(die_in_next_generation))
    r = group.generate(items, n=2)
    assert group.restarts == restarts + 1
    assert ray.get(victim.pid.remote()) != pid  # Ray re-created the process
    assert len(r) == 2 * len(items) and r.policy_version == group.sync.version
    assert logprob_diff(model, processor, r)[0] < LOGPROB_TOL  # sampled with the pushed weights
    assert logprob_diff(model, processor, r, group.score(r, rank=0))[0] < LOGPROB_TOL


@pytest.mark.slow
def test_worker_without_restarts_left_fails_loudly(ray_cluster, tiny_model_dir, items):
    from rl.rollout import RolloutError, RolloutGroup

    config = RolloutConfig(engine="hf", workers=1, cpus_per_worker=0.5, n=1, max_tokens=4,
                           max_model_len=512, max_restarts=0)
    hf_group = RolloutGroup(tiny_model_dir, config)
    try:
        assert len(hf_group.generate(items[:2])) == 2  # the HF engine behind the same actor
        ray_cluster.get(hf_group.workers[0].__ray_call__.remote(die_in_next_generation))
        with pytest.raises(RolloutError, match="dead for good"):
            hf_group.generate(items[:2])
    finally:
        hf_group.close()


@pytest.mark.slow
def test_bad_input_through_ray_names_the_sample(group, items, tmp_path):
    long_item = {**items[0].to_record(), "id": "too-long-1", "prompt": "how many red circles " * 200,
                 "image_root": str(items[0].image_root)}
    with pytest.raises(PromptTooLongError, match="too-long-1"):
        group.generate([items[1], long_item])
    missing = {**items[0].to_record(), "id": "no-image-1", "image_root": str(tmp_path)}
    with pytest.raises(ValueError, match="no-image-1"):
        group.generate([missing])
    assert len(group.generate(items[:1], n=1)) == 1  # the workers are fine afterwards


def die_in_next_generation(worker) -> None:
    """Runs in the actor (`__ray_call__`): its process exits in the middle of the next generate."""
    def exit_now(*args, **kwargs):
        os._exit(1)
    worker.engine.generate = exit_now


def perturb(model, seed: int) -> None:
    """Change the learner's weights in place: the output head, a fused attention layer of the text
    model and the first vision block (stale image embeddings would show up)."""
    gen = torch.Generator().manual_seed(seed)
    lm = model.model.language_model.layers[0].self_attn
    with torch.no_grad():
        for p in (model.lm_head.weight, lm.q_proj.weight, lm.v_proj.bias,
                  model.model.visual.blocks[0].attn.qkv.weight):
            p.add_(torch.randn(p.shape, generator=gen) * 0.3)
