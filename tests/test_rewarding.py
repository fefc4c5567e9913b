import pytest
import torch

from rewards.hybrid import RewardResult
from rl.rewarding import SourceNormaliser, source_key
from rl.schema import TaskRewardConfig


def test_source_key_is_the_tasks_sources():
    assert source_key(TaskRewardConfig(sources={"rm": 0.5, "count": 1.0})) == "count+rm"
    assert source_key(TaskRewardConfig(sources={})) == "format"


def test_failed_gate_is_normalised_with_its_task_and_never_beats_a_wrong_answer():
    # count: right (1), wrong (0), failed gate (0, no per-source scores), wrong (0).
    # mean 0.25, sample std sqrt((0.75^2 + 3 * 0.25^2) / 3) = 0.5 -> 1.5, -0.5, -0.5, -0.5
    results = [RewardResult(1.0, {"count": 1.0}, True), RewardResult(0.0, {"count": 0.0}, True),
               RewardResult(0.0, {}, False), RewardResult(0.0, {"count": 0.0}, True)]
    got = SourceNormaliser()(results, ["count"] * 4)
    assert torch.allclose(got, torch.tensor([1.5, -0.5, -0.5, -0.5]))


def test_sources_keep_separate_running_statistics():
    norm = SourceNormaliser()
    norm([RewardResult(1.0), RewardResult(0.0)], ["math", "math"])
    got = norm([RewardResult(0.9), RewardResult(0.5)], ["rm", "math"])
    # rm: one value so far -> std 1.0 (n=1), mean 0.9 -> 0; math: 1, 0, 0.5 -> mean 0.5 -> 0
    assert torch.allclose(got, torch.tensor([0.0, 0.0]))
    assert norm.stats["math"].n == 3 and norm.stats["rm"].n == 1
    with pytest.raises(ValueError, match="source keys"):
        norm([RewardResult(1.0)], [])


def test_task_scales_weigh_each_task_by_the_trust_in_its_sources():
    from rl.rewarding import task_scales
    tasks = {"chat": TaskRewardConfig(sources={"rm": 1.0}), "count": TaskRewardConfig(sources={"count": 1.0}),
             "mixed": TaskRewardConfig(sources={"rm": 1.0, "count": 3.0}), "format": TaskRewardConfig(sources={})}
    got = task_scales(tasks, {"rm": 0.2})
    # mixed: (1 * 0.2 + 3 * 1.0) / 4 = 0.8; a verifier and the bare gate are trusted fully
    assert got == pytest.approx({"chat": 0.2, "count": 1.0, "mixed": 0.8, "format": 1.0})
    assert task_scales(tasks, {}) == {"chat": 1.0, "count": 1.0, "mixed": 1.0, "format": 1.0}


def test_rl_scales_only_the_tasks_that_use_the_rm_by_its_recorded_trust(tmp_path):
    import json
    from rewards.rm import STAMP
    from rl.loop import reward_trust
    from rl.schema import Recipe
    (tmp_path / STAMP).write_text(json.dumps({"summary": {"pairwise_accuracy": 0.6}}))
    recipe = Recipe(reward_model={"trust": "auto"},
                    rewards={"tasks": {"chat": {"sources": {"rm": 1.0}}, "count": {"sources": {"count": 1.0}}}})
    trust, scales = reward_trust(recipe, {"rm_dir": str(tmp_path)}, {"rm": object()})
    assert trust == pytest.approx(0.2) and scales == pytest.approx({"chat": 0.2, "count": 1.0})
    # no RM among the reward models (a judge only, or none): nothing is scaled
    assert reward_trust(recipe, {"rm_dir": str(tmp_path)}, None) == (None, {"chat": 1.0, "count": 1.0})
