import json

import torch

from rewards.hybrid import RewardResult
from rl.batch import Rollout
from sft.rejection import select, write_outputs
from tasks import TaskItem


def item(i: int, task: str = "count") -> TaskItem:
    return TaskItem(id=f"p{i}", task=task, prompt="How many?", images=[], answer="2",
                    cot="", target="")


def constructed():
    """4 prompts x 4 samples: pass rates 4/4 (trivial), 2/4 (kept: one duplicate), 1/4 (kept),
    0/4 (hopeless); one correct-looking answer failed the format gate."""
    texts = [["<think>a</think>2"] * 4,
             ["<think>b</think>2", "<think>b</think>2", "<think>c</think>3", "no think 2"],
             ["<think>d</think>2", "<think>e</think>1", "<think>f</think>1", "<think>g</think>5"],
             ["<think>h</think>1"] * 4]
    rewards = [[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]
    gate = [[True] * 4, [True, True, True, False], [True] * 4, [True] * 4]
    flat = [t for row in texts for t in row]
    batch = Rollout(items=[item(i) for i in range(4)], group=torch.arange(4).repeat_interleave(4),
                    sample_ids=[f"p{g}#{k}" for g in range(4) for k in range(4)], tasks=["count"] * 16,
                    prompt_ids=[torch.tensor([1])] * 16, response_ids=[torch.tensor([2])] * 16,
                    logprobs=[torch.tensor([0.0])] * 16, texts=flat, finish_reasons=["stop"] * 16)
    results = [RewardResult(float(r), format_ok=ok) for rr, gg in zip(rewards, gate) for r, ok in zip(rr, gg)]
    return batch, results


def test_band_filter_keeps_only_distinct_correct_responses_of_prompts_in_the_band(tmp_path):
    batch, results = constructed()
    pairs, stats = select(batch, results, min_pass=0.1, max_pass=0.9, keep_per_prompt=4)
    assert [s.verdict for s in stats] == ["trivial", "kept", "kept", "hopeless"]
    assert [s.pass_rate for s in stats] == [1.0, 0.5, 0.25, 0.0]
    assert [(it.id, text) for it, text in pairs] == [("p1", "<think>b</think>2"), ("p2", "<think>d</think>2")]
    # a narrower band drops the 1-in-4 prompt as too hard
    pairs, stats = select(batch, results, min_pass=0.3, max_pass=0.9, keep_per_prompt=4)
    assert [s.verdict for s in stats] == ["trivial", "kept", "hopeless", "hopeless"]
    summary = write_outputs(tmp_path, pairs, stats)
    assert summary["count"] == {"prompts": 4, "kept": 1, "trivial": 1, "hopeless": 2,
                                "mean_pass_rate": 0.4375, "responses": 1}
    rows = [json.loads(line) for line in (tmp_path / "sft.jsonl").read_text().splitlines()]
    assert rows == [{"id": "p1", "task": "count", "target": "<think>b</think>2", "pass_rate": 0.5}]
    assert (tmp_path / "difficulty.png").stat().st_size > 0
