"""The RL stage end to end on the tiny VLM: real Ray, real vLLM, real verifiers (slow)."""
import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from rl.config import load_recipe
from rl.run import main

pytestmark = pytest.mark.slow

RECIPE = """
model: {path: "tiny:tiny"}
tasks: {n_train: 6, n_heldout: 2, names: [count, math, choice, grounding], cold_start: {n_per_task: 2}}
rollout: {n: 2, max_tokens: 16}
ppo: {micro_batch_size: 8}
rewards:
  plugins: [rl_test_rewards]       # tests/plugins: a reward with spread for a random model
  tasks:
    count: {sources: {length_parity: 1.0}, format_gate: false}
    math: {sources: {length_parity: 1.0}, format_gate: false}
    choice: {sources: {choice: 1.0}}
    grounding: {sources: {grounding: 1.0}}
stages:
  - kind: data
  - kind: sft
    steps: 3
    batch_size: 4
  - kind: rl
    steps: 4
    prompts_per_step: 2
    value_warmup_steps: 1
    checkpoint_every: 2
    eval_every: 2
    viewer_every: 2
"""


@pytest.fixture(scope="module")
def recipe_path(tmp_path_factory, monkeypatch_module):
    path = tmp_path_factory.mktemp("recipe") / "rl.yaml"
    path.write_text(RECIPE)
    return path


@pytest.fixture(scope="module")
def monkeypatch_module():
    import sys
    plugins = str(Path(__file__).parent / "plugins")
    sys.path.insert(0, plugins)
    import os
    old = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = plugins + (os.pathsep + old if old else "")   # Ray workers, verifier pool
    yield
    os.environ["PYTHONPATH"] = old
    sys.path.remove(plugins)


def steps_logged(stage_dir: Path) -> list[int]:
    return [json.loads(line)["step"] for line in (stage_dir / "metrics.jsonl").read_text().splitlines()]


def weights(path: Path) -> dict:
    files = sorted(path.glob("*.safetensors"))
    out = {}
    for f in files:
        out.update(load_file(str(f)))
    return out


def test_smoke_run_trains_policy_and_critic_then_resumes(recipe_path, tmp_path):
    out = tmp_path / "run"
    assert main([str(recipe_path), f"output_dir={out}", "smoke=true", "stages.2.overlap=true"]) == 0
    rl = out / "rl"
    assert steps_logged(rl) == [0, 1]
    rows = [json.loads(line) for line in (rl / "metrics.jsonl").read_text().splitlines()]
    for key in ("loss/value", "loss/policy", "entropy"):
        assert all(r.get(key) is None or abs(r[key]) < 1e6 for r in rows)
    assert rows[-1]["policy_trained"] == 1 and rows[0]["policy_trained"] == 0
    before, after = weights(out / "sft" / "model"), weights(rl / "final" / "policy")
    assert any(not torch.equal(before[k], after[k]) for k in before)            # the policy moved
    critic = load_file(str(rl / "final" / "critic" / "scalar_model.safetensors"))
    assert critic["head.weight"].abs().sum() > 0                                  # the critic moved
    assert (rl / "checkpoints" / "latest").read_text().startswith("step_")
    assert list((rl / "viewer").glob("step_*.html"))
    # resume: every stage finished, so nothing is redone and the record stays
    assert main([str(recipe_path), f"output_dir={out}", "smoke=true", "resume=true"]) == 0
    assert steps_logged(rl) == [0, 1]
    record = json.loads((out / "stages.json").read_text())
    assert [e["name"] for e in record["finished"]] == ["data", "sft", "rl"]


@pytest.mark.parametrize("learner_workers", [1, 2])
def test_learner_killed_mid_run_is_restarted_from_checkpoint(recipe_path, tmp_path, learner_workers):
    """One learner, or two FSDP ranks (one of them killed: both are re-created)."""
    import ray

    from rl.stage_rl import _loop, rl_items, start_ray
    from rl.loop import RLRun
    from rl.stages import StageContext, heldout_items
    from rl.stage_data import run_data
    from model.load import resolve_model_path

    recipe = load_recipe(recipe_path, [f"output_dir={tmp_path}", f"ppo.learner_workers={learner_workers}"])
    ctx = StageContext(out=tmp_path, stage_dir=tmp_path / "data")
    run_data(recipe, recipe.stages[0], ctx)
    stage = recipe.stages[2]
    train, heldout = rl_items(recipe, stage, ctx), heldout_items(recipe, ctx.state)
    start_ray()
    stage_dir = tmp_path / "rl"
    stage_dir.mkdir()
    run = RLRun(recipe, stage, stage_dir, str(resolve_model_path("tiny:tiny")), train, heldout[:2])
    try:
        _loop(run, stage.model_copy(update={"steps": 2}), stage_dir)    # steps 0, 1; checkpoint at 1
        ray.kill(run.learner.actors[-1], no_restart=True)               # the learner (a rank) dies
        run.start_step = 2
        _loop(run, stage, stage_dir)                                     # steps 2, 3 after a restart
    finally:
        run.close()
        ray.shutdown()
    assert run.learner.restarts == 1
    assert steps_logged(stage_dir) == [0, 1, 2, 3]
