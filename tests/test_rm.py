"""The scalar reward model: preference pairs (the rejected ones really are wrong), the Bradley-Terry
trainer (parameters move, beats chance), ScalarRM as a reward source routed beside verifiers, the
`rm` stage (eval.json merge, cache), `make_reward_model` and `python -m rewards.score --rm`."""
import json
import math
from collections import Counter
from pathlib import Path

import pytest
import torch

from rewards.hybrid import HybridReward, RewardSetupError
from rewards.preferences import MISTAKES, OFF_TASK, describe, entries, preference_pairs, read_description, read_pairs, write_pairs
from rewards.rm import ScalarRM, make_reward_model
from rewards.rm_train import RMSettings, bradley_terry_loss, pairwise_accuracy, train_rm
from rl.schema import Recipe, RewardsConfig, TaskRewardConfig
from tasks import generate_suite, load_suite


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    root = tmp_path_factory.mktemp("rm_suite")
    generate_suite(root, tasks=["chat", "math"], n_train=12, n_heldout=4)
    return root


def test_rejected_descriptions_are_wrong_and_chosen_ones_right(suite):
    items = [it for it in load_suite(suite, "train") if it.task == "chat"]
    pairs = preference_pairs(load_suite(suite, "train"), 60, seed=3)
    assert Counter(p["meta"]["mistake"] for p in pairs).keys() == set(MISTAKES)
    by_id = {it.id: it for it in items}
    for p in pairs:
        item = by_id[p["id"].split("#")[0]]
        truth = (len(item.meta["shapes"]), sorted((s["colour"], s["shape"]) for s in item.meta["shapes"]))
        assert read_description(p["chosen"]) == truth, p
        stated, named = read_description(p["rejected"])
        assert (stated, named) != truth and p["rejected"] != p["chosen"], p
        if p["meta"]["mistake"] == "wrong_count":
            assert named == truth[1] and stated != truth[0]
        else:
            assert stated == len(named)   # the other mistakes are consistent: only the image tells
    assert preference_pairs(load_suite(suite, "train"), 60, seed=3) == pairs     # deterministic
    assert preference_pairs(load_suite(suite, "train"), 60, seed=4) != pairs


def test_off_task_pairs_reject_answers_that_describe_nothing(suite):
    """off_task_rate: that share of pairs (about) rejects a short off-task answer or a cut-off
    description; every other pair is the one the rate-0 set has."""
    items = load_suite(suite, "train")
    base = preference_pairs(items, 200, seed=3)
    mixed = preference_pairs(items, 200, seed=3, off_task_rate=0.3)
    off = [q for q in mixed if q["meta"]["mistake"] == OFF_TASK]
    assert 40 <= len(off) <= 80
    for p, q in zip(base, mixed):
        assert q["chosen"] == p["chosen"] and q["id"] == p["id"]
        if q["meta"]["mistake"] != OFF_TASK:
            assert q == p
        else:
            stated, named = read_description(q["rejected"])
            assert not named and len(q["rejected"].split()) <= 4, q["rejected"]
            assert q["rejected"] != q["chosen"]
    assert all(q["meta"]["mistake"] == OFF_TASK for q in preference_pairs(items, 20, seed=3, off_task_rate=1.0))
    with pytest.raises(ValueError, match="off_task_rate"):
        preference_pairs(items, 5, off_task_rate=1.5)


def test_chosen_reads_like_the_reference_and_splits_do_not_share_images(suite):
    item = next(it for it in load_suite(suite, "train") if it.task == "chat")
    assert describe(entries(item), len(item.meta["shapes"]), style=0) == item.meta["reference"]
    train = {im for p in preference_pairs(load_suite(suite, "train"), 20) for im in p["images"]}
    held = {im for p in preference_pairs(load_suite(suite, "heldout"), 20) for im in p["images"]}
    assert train and held and not train & held


def test_pairs_round_trip_and_bad_lines_name_file_and_line(suite, tmp_path):
    pairs = preference_pairs(load_suite(suite, "train"), 5)
    assert read_pairs(write_pairs(tmp_path / "p.jsonl", pairs)) == pairs
    (tmp_path / "bad.jsonl").write_text(json.dumps(pairs[0]) + "\n\n" + json.dumps({"id": 1, "prompt": "x"}) + "\n")
    with pytest.raises(ValueError, match=r"bad.jsonl:3: preference pair misses 'images', 'chosen', 'rejected'"):
        read_pairs(tmp_path / "bad.jsonl")
    with pytest.raises(ValueError, match="no `chat` items"):
        preference_pairs([it for it in load_suite(suite, "train") if it.task == "math"], 3)


def test_bradley_terry_loss_by_hand():
    loss = bradley_terry_loss(torch.tensor([2.0, 0.0]), torch.tensor([0.0, 1.0]))
    expected = (math.log1p(math.exp(-2.0)) + math.log1p(math.exp(1.0))) / 2
    assert float(loss) == pytest.approx(expected, rel=1e-6)


def small_pairs(suite, split, n):
    pairs = preference_pairs(load_suite(suite, split), n, seed=0)
    for p in pairs:
        p["image_root"] = str(suite)
    return pairs


@pytest.fixture(scope="module")
def trained(tiny_model_dir, suite, tmp_path_factory):
    """The tiny VLM's RM after a few steps on 8 synthetic pairs, saved."""
    from model.load import load_vlm
    from model.value import ScalarModel

    policy, processor = load_vlm(tiny_model_dir)
    rm = ScalarModel.from_policy(policy)
    before = {n: p.detach().clone() for n, p in rm.named_parameters()}
    pairs = small_pairs(suite, "train", 8)
    rows = []
    summary = train_rm(rm, processor, pairs, RMSettings(steps=15, batch_size=8, micro_batch_size=8, lr=2e-3,
                                                          warmup_steps=2, log_every=1), log=rows.append)
    path = rm.save(tmp_path_factory.mktemp("rm") / "rm", source_dir=tiny_model_dir)
    return rm, processor, pairs, before, summary, rows, path


def test_trainer_moves_parameters_and_beats_chance(trained):
    rm, processor, pairs, before, summary, rows, _ = trained
    moved = [n for n, p in rm.named_parameters() if not torch.equal(p, before[n])]
    assert "head.weight" in moved and any(n.startswith("backbone.visual") for n in moved)
    assert any(n.startswith("backbone.language_model") for n in moved)
    assert all(math.isfinite(r["loss"]) and math.isfinite(r["grad_norm"]) for r in rows)
    assert summary["steps"] == 15 and summary["final_loss"] < summary["first_loss"] == pytest.approx(math.log(2))
    assert pairwise_accuracy(rm, processor, pairs, batch_size=4) >= 0.875   # fits the synthetic set


def test_scalar_rm_scores_like_the_trained_model_and_needs_a_prompt(trained, suite):
    from rewards.rm_train import pair_rewards

    rm, processor, pairs, *_, path = trained
    with torch.no_grad():
        rc, rr = pair_rewards(rm, processor, pairs[:3])
    scorer = ScalarRM(path, image_root=suite, batch_size=2)
    records = [{k: v for k, v in p.items() if k != "image_root"} for p in pairs[:3]]
    got = scorer.score(records * 2, [p["chosen"] for p in pairs[:3]] + [p["rejected"] for p in pairs[:3]])
    assert got == pytest.approx(torch.sigmoid(torch.cat([rc, rr])).tolist(), abs=1e-4)   # rewards in (0, 1)
    with pytest.raises(ValueError, match="needs its 'prompt'"):
        scorer.score([{"id": "x", "task": "chat"}], ["text"])
    with pytest.raises(FileNotFoundError, match="not a trained scalar reward model"):
        ScalarRM(suite)


def test_router_sends_chat_to_the_rm_and_math_to_the_verifier_in_one_batch(trained, suite):
    *_, path = trained
    calls = []

    class Recording(ScalarRM):
        def score(self, samples, solutions):
            calls.append([s["task"] for s in samples])
            return super().score(samples, solutions)

    chat = [it.to_record() for it in load_suite(suite, "train") if it.task == "chat"][:2]
    cfg = RewardsConfig(tasks={"chat": TaskRewardConfig(sources={"rm": 1.0}),
                               "math": TaskRewardConfig(sources={"math": 1.0})}, workers=0)
    samples = [chat[0], {"task": "math", "answer": "4"}, chat[1], {"task": "math", "answer": "5"}]
    responses = ["<think>look</think>" + chat[0]["reference"], "<think>2+2</think>\\boxed{4}",
                 "<think>look</think>There are 9 shapes.", "<think>x</think>\\boxed{6}"]
    with HybridReward(cfg, rm=Recording(path, image_root=suite)) as hybrid:
        results = hybrid.score(samples, responses)
    assert calls == [["chat", "chat"]]             # one batched RM call, chat samples only
    assert [r.rewards.keys() for r in results] == [{"rm"}, {"math"}, {"rm"}, {"math"}]
    assert results[1].reward == 1.0 and results[3].reward == 0.0
    assert all(isinstance(results[i].rewards["rm"], float) and results[i].error is None for i in (0, 2))


def test_rm_and_judge_are_selectable_per_task(suite):
    class Fixed:
        def __init__(self, value):
            self.value = value

        def score(self, samples, solutions):
            return [self.value] * len(samples)

    cfg = RewardsConfig(tasks={"chat": TaskRewardConfig(sources={"rm": 1.0}),
                               "caption": TaskRewardConfig(sources={"judge": 1.0, "rm": 1.0})}, workers=0)
    with HybridReward(cfg, rm={"rm": Fixed(0.2), "judge": Fixed(0.8)}) as hybrid:
        a, b = hybrid.score([{"task": "chat"}, {"task": "caption"}], ["<think>.</think>x"] * 2)
    assert a.rewards == {"rm": 0.2} and b.rewards == {"judge": 0.8, "rm": 0.2} and b.reward == pytest.approx(0.5)
    with pytest.raises(RewardSetupError, match="'judge' \\(a reward model\\) but no reward model was given"):
        HybridReward(cfg, rm=Fixed(0.2), workers=0)


def recipe_with(sources: dict, **kw) -> Recipe:
    return Recipe(rewards=RewardsConfig(tasks={"chat": TaskRewardConfig(sources=sources)}), **kw)


def test_make_reward_model_builds_what_the_tasks_name(trained, suite):
    *_, path = trained
    assert make_reward_model(Recipe()) is None
    with pytest.raises(RewardSetupError, match="add an `rm` stage"):
        make_reward_model(recipe_with({"rm": 1.0}))
    models = make_reward_model(recipe_with({"rm": 1.0, "judge": 1.0}), {"rm_dir": str(path), "data_dir": str(suite)})
    assert set(models) == {"rm", "judge"} and models["rm"].image_root == str(suite)
    assert models["judge"].image_root == str(suite) and models["judge"].backend is None   # starts on first use


def test_rm_stage_merges_eval_json_and_is_cached(tmp_path):
    from rl.stages import run_stages

    out = tmp_path / "run"
    out.mkdir()
    earlier = [{"stage": "sft", "accuracy": {"count": 0.5}, "mean_verifiable": 0.5}]
    (out / "eval.json").write_text(json.dumps({"stages": earlier}))
    recipe = Recipe.model_validate({"smoke": True, "model": {"path": "tiny:tiny"}, "tasks": {"names": ["chat"]},
                                    "stages": [{"kind": "data"}, {"kind": "rm", "off_task_rate": 0.5}]})
    state = run_stages(recipe, out)
    data = json.loads((out / "eval.json").read_text())
    assert data["stages"] == earlier and 0 <= data["rm"]["pairwise_accuracy"] <= 1
    assert 0 <= data["rm"]["off_task_accuracy"] <= 1
    held = [json.loads(line) for line in (out / "rm" / "pairs_heldout.jsonl").read_text().splitlines()]
    assert all(p["meta"]["mistake"] != "off_task" for p in held)   # held-out: description mistakes only
    assert state["rm_dir"] == str(out / "rm" / "rm") and (out / "rm" / "pairs_heldout.jsonl").is_file()
    stamp = (out / "rm" / "rm" / "rm_stage.json").stat().st_mtime
    (out / "stages.json").unlink()                 # run the stage again: the RM is reused, not retrained
    run_stages(recipe, out)
    assert (out / "rm" / "rm" / "rm_stage.json").stat().st_mtime == stamp
    assert len((out / "rm" / "log.jsonl").read_text().splitlines()) == 2   # one training run's rows


def test_rm_stage_with_a_match_head_and_a_frozen_backbone(tmp_path):
    """The stage's head / match_window / head_lr_mult / freeze_backbone / schedule reach the trainer:
    the saved RM has the match head with its window and the tallies, trained, over the starting model's backbone
    unchanged."""
    from model.load import load_vlm, resolve_model_path
    from model.value import ScalarModel
    from rl.stages import run_stages

    recipe = Recipe.model_validate({"smoke": True, "model": {"path": "tiny:tiny"}, "tasks": {"names": ["chat"]},
                                    "stages": [{"kind": "data"}, {"kind": "rm", "head": "match", "lr": 1e-3,
                                                                   "head_lr_mult": 10, "freeze_backbone": True,
                                                                   "match_window": 2, "schedule": "cosine",
                                                                   "tally": 2}]})
    state = run_stages(recipe, tmp_path / "run")
    rm = ScalarModel.load(state["rm_dir"])
    assert rm.head_kind == "match" and rm.match.window == 2 and rm.match.gate.weight.abs().sum() > 0
    assert rm.tally.proj.out_features == 2
    start, _ = load_vlm(resolve_model_path("tiny:tiny", seed=recipe.model.seed))
    want = dict(start.model.named_parameters())
    assert all(torch.equal(p, want[n]) for n, p in rm.backbone.named_parameters())


def test_rm_stage_reads_the_image_through_the_pretrained_vision_side(tmp_path):
    """`vision: pretrained`: the RM's vision tower + adapter are the `vision` stage's checkpoint's,
    its language model the SFT checkpoint's (which moved the vision side after it)."""
    from model.load import adapter_params, load_vlm, vision_tower_params
    from model.value import ScalarModel
    from rl.stages import StageError, run_stages

    stages = [{"kind": "data"}, {"kind": "vision"}, {"kind": "sft", "vision_lr_mult": 1.0},
              {"kind": "rm", "head": "match", "freeze_backbone": True, "vision": "pretrained"}]
    recipe = Recipe.model_validate({"smoke": True, "model": {"path": "tiny:tiny"},
                                    "tasks": {"names": ["chat"], "cold_start": {"n_per_task": 8}},
                                    "eval": {"between_stages": False}, "stages": stages})
    state = run_stages(recipe, tmp_path / "run")
    rm = ScalarModel.load(state["rm_dir"])
    vision_model, _ = load_vlm(state["vision_dir"])
    sft_model, _ = load_vlm(tmp_path / "run" / "sft" / "model")
    vision_ids = {id(p) for p in vision_tower_params(rm.backbone) + adapter_params(rm.backbone)}
    pre, sft = dict(vision_model.model.named_parameters()), dict(sft_model.model.named_parameters())
    assert not all(torch.equal(pre[n], sft[n]) for n, p in rm.backbone.named_parameters() if id(p) in vision_ids)
    for n, p in rm.backbone.named_parameters():
        assert torch.equal(p, pre[n] if id(p) in vision_ids else sft[n]), n
    # a run resumed from before the vision stage recorded `vision_dir`: its folder is found, the RM reused
    record = json.loads((tmp_path / "run" / "stages.json").read_text())
    record["finished"] = [e for e in record["finished"] if e["kind"] != "rm"]
    for e in record["finished"]:
        e["state"].pop("vision_dir", None)
    (tmp_path / "run" / "stages.json").write_text(json.dumps(record))
    stamp = (Path(state["rm_dir"]) / "rm_stage.json").stat().st_mtime
    assert run_stages(recipe, tmp_path / "run")["rm_dir"] == state["rm_dir"]
    assert (Path(state["rm_dir"]) / "rm_stage.json").stat().st_mtime == stamp
    no_vision = Recipe.model_validate({"smoke": True, "model": {"path": "tiny:tiny"}, "tasks": {"names": ["chat"]},
                                       "stages": [{"kind": "data"}, {"kind": "rm", "vision": "pretrained"}]})
    with pytest.raises(StageError, match="needs a `vision` stage before it"):
        run_stages(no_vision, tmp_path / "run2")


def test_score_cli_uses_the_rm(trained, suite, tmp_path, capsys):
    from rewards.score import main

    *_, path = trained
    chat = [it.to_record() for it in load_suite(suite, "train") if it.task == "chat"][:2]
    lines = [{**r, "response": "<think>.</think>" + r["reference"]} for r in chat]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in lines))
    args = [str(src), "-o", str(tmp_path / "out.jsonl"), "--workers", "0", "--rm", str(path),
            "--image-root", str(suite), "--set", "rewards.tasks.chat.sources.rm=1.0"]
    assert main(args) == 0
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [set(r["rewards"]) for r in rows] == [{"rm"}, {"rm"}] and "error" not in rows[0]
    # without an RM the other tasks still score; the RM's lines are reported as bad lines (exit 1)
    missing = [str(src), "-o", str(tmp_path / "o2.jsonl"), "--set", "rewards.tasks.chat.sources.rm=1.0"]
    assert main(missing) == 1
    assert "scored by the scalar reward model: pass --rm DIR" in capsys.readouterr().err


def test_trainer_with_bf16_autocast_learns_and_keeps_fp32_weights(tiny_model_dir, suite):
    from model.load import load_vlm
    from model.value import ScalarModel

    policy, processor = load_vlm(tiny_model_dir)
    rm = ScalarModel.from_policy(policy)
    pairs = small_pairs(suite, "train", 8)
    summary = train_rm(rm, processor, pairs, RMSettings(steps=15, batch_size=8, micro_batch_size=8, lr=2e-3,
                                                          warmup_steps=2, autocast="bf16"))
    assert summary["final_loss"] < summary["first_loss"] - 0.1
    assert all(p.dtype == torch.float32 for p in rm.parameters())
    assert pairwise_accuracy(rm, processor, pairs, batch_size=4) >= 0.75


def test_vision_lr_mult_slows_only_the_rms_vision_side(tiny_model_dir, suite):
    from model.load import adapter_params, load_vlm, param_groups, vision_tower_params
    from model.value import ScalarModel

    policy, processor = load_vlm(tiny_model_dir)
    pairs = small_pairs(suite, "train", 8)
    moved = {}
    for mult in (1.0, 1e-6):
        rm = ScalarModel.from_policy(policy)
        vision = {id(p) for p in vision_tower_params(rm) + adapter_params(rm)}
        assert vision and len(param_groups(rm, 1e-3, 0.5)) == 2   # found under the RM's backbone
        before = {n: p.detach().clone() for n, p in rm.named_parameters()}
        train_rm(rm, processor, pairs, RMSettings(steps=3, batch_size=8, micro_batch_size=8, lr=2e-3,
                                                  warmup_steps=0, vision_lr_mult=mult))
        moved[mult] = {n: float((p.detach() - before[n]).abs().max()) for n, p in rm.named_parameters()
                       if id(p) in vision}, {n: float((p.detach() - before[n]).abs().max())
                                             for n, p in rm.named_parameters() if n.startswith("backbone.language_model")}
    (vis_full, llm_full), (vis_slow, llm_slow) = moved[1.0], moved[1e-6]
    assert max(vis_slow.values()) < 1e-3 * max(vis_full.values())   # AdamW: step ~ lr, so ~1e-6 x
    assert max(llm_slow.values()) > 0.1 * max(llm_full.values())


def test_head_lr_mult_puts_the_heads_in_a_group_of_their_own(tiny_model_dir):
    from model.load import load_vlm
    from model.value import ScalarModel
    from rewards.rm_train import rm_param_groups

    policy, _ = load_vlm(tiny_model_dir)
    rm = ScalarModel.from_policy(policy, pool="mean", head="match")
    heads = {id(p) for p in list(rm.head.parameters()) + list(rm.match.parameters())}
    assert len(rm_param_groups(rm, RMSettings(lr=1e-3))) == 1
    groups = rm_param_groups(rm, RMSettings(lr=1e-3, vision_lr_mult=0.1, head_lr_mult=30))
    assert [g["lr_mult"] for g in groups] == [1.0, 0.1, 30]
    assert {id(p) for p in groups[-1]["params"]} == heads and abs(groups[-1]["lr"] - 0.03) < 1e-12
    assert not heads & {id(p) for g in groups[:-1] for p in g["params"]}
    assert sum(len(g["params"]) for g in groups) == len(list(rm.parameters()))


def test_rm_trust_is_two_accuracy_minus_one_from_the_rm_stage_record(tmp_path):
    from rewards.rm import STAMP, rm_trust
    rm_dir = tmp_path / "rm"
    rm_dir.mkdir()
    auto = Recipe(reward_model={"trust": "auto"})
    # no record (an RM trained elsewhere): trusted fully, and the reason says so
    trust, why = rm_trust(auto, {"rm_dir": str(rm_dir)})
    assert trust == 1.0 and "no held-out pairwise accuracy" in why
    for accuracy, want in ((0.75, 0.5), (0.5, 0.0), (0.4, 0.0), (1.0, 1.0), (0.9, 0.8)):
        (rm_dir / STAMP).write_text(json.dumps({"config_hash": "x", "summary": {"pairwise_accuracy": accuracy}}))
        assert rm_trust(auto, {"rm_dir": str(rm_dir)})[0] == pytest.approx(want)
    # reward_model.path wins over the stage's RM; a number is used as it is
    assert rm_trust(Recipe(reward_model={"trust": "auto", "path": str(tmp_path / "none")}), {"rm_dir": str(rm_dir)})[0] == 1.0
    assert rm_trust(Recipe(reward_model={"trust": 0.3}), {"rm_dir": str(rm_dir)}) == (0.3, "reward_model.trust = 0.3")
    assert rm_trust(Recipe(), {"rm_dir": str(rm_dir)})[0] == 1.0     # the schema's default: 1.0
    with pytest.raises(ValueError):
        Recipe(reward_model={"trust": 1.5})
    with pytest.raises(ValueError):
        Recipe(reward_model={"trust": "sometimes"})


def test_sequence_index_by_hand():
    from rewards.rm_train import sequence_index

    a = {"id": "x#0", "prompt": "Describe.", "images": ["a.png"], "chosen": "good", "rejected": "bad", "meta": {}}
    pairs = [a, {**a, "id": "x#1", "rejected": "worse", "meta": {"style": 1}},     # same chosen sequence
             {**a, "id": "y#0", "images": ["b.png"]},                                # another image
             {**a, "id": "x#2", "chosen": "bad", "rejected": "good"}]                 # both sides seen
    index, seqs = sequence_index(pairs)
    assert index == [(0, 1), (0, 2), (3, 4), (1, 0)]
    assert [(p["images"][0], r) for p, r in seqs] == [("a.png", "good"), ("a.png", "bad"), ("a.png", "worse"),
                                                      ("b.png", "good"), ("b.png", "bad")]


def test_lr_schedule_by_hand():
    from rewards.rm_train import lr_at

    const = RMSettings(lr=1.0, warmup_steps=4, steps=14)
    assert [lr_at(i, const) for i in (0, 3, 4, 13)] == [0.25, 1.0, 1.0, 1.0]
    cos = RMSettings(lr=1.0, warmup_steps=4, steps=14, schedule="cosine")
    assert [lr_at(i, cos) for i in (0, 3)] == [0.25, 1.0]
    assert lr_at(4, cos) == 1.0 and lr_at(9, cos) == pytest.approx(0.5) and lr_at(14, cos) == pytest.approx(0.0)


def test_cached_features_score_like_the_full_forward_and_the_heads_learn_on_them(tiny_model_dir, suite):
    """With a frozen backbone the heads train on features computed once per pair: those features,
    padded, give the scores that the full forward gives (to bf16 storage), and training on them
    moves the heads, not the backbone."""
    from model.load import load_vlm
    from model.value import ScalarModel
    from rewards.rm_train import pad_features, pair_rewards, side_features

    policy, processor = load_vlm(tiny_model_dir)
    rm = ScalarModel.from_policy(policy, pool="mean", head="match", tally=2)
    with torch.no_grad():
        torch.nn.init.normal_(rm.head.weight, std=0.1)
        torch.nn.init.normal_(rm.match.gate.weight, std=0.1)
        torch.nn.init.normal_(rm.tally.proj.weight, std=0.1)
    pairs = small_pairs(suite, "train", 8)
    pairs.append({**pairs[0], "id": "again", "rejected": pairs[0]["rejected"] + " And a dot."})   # same chosen
    rows = side_features(rm, processor, pairs, RMSettings(micro_batch_size=3))
    assert len(rows) == 9 and all(c["image_mask"].sum() > 0 for c, _ in rows)
    assert rows[8][0] is rows[0][0] and rows[8][1] is not rows[0][1]   # the shared side computed once
    feats, attention_mask, response_mask = pad_features([c for c, _ in rows] + [r for _, r in rows])
    with torch.no_grad():
        cached = rm.sequence_scores(feats, attention_mask, response_mask)
        rc, rr = pair_rewards(rm, processor, pairs)
    assert torch.allclose(cached, torch.cat([rc, rr]), atol=0.02 * float(cached.abs().max()))
    backbone = {n: p.detach().clone() for n, p in rm.backbone.named_parameters()}
    summary = train_rm(rm, processor, pairs, RMSettings(steps=40, batch_size=8, lr=3e-3, warmup_steps=2,
                                                         freeze_backbone=True, schedule="cosine"))
    assert summary["feature_seconds"] is not None and summary["final_loss"] < summary["first_loss"] - 0.1
    assert all(torch.equal(p, backbone[n]) for n, p in rm.backbone.named_parameters())
    assert pairwise_accuracy(rm, processor, pairs, batch_size=4) >= 0.75
