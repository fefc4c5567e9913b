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
