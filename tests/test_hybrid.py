"""HybridReward and its verifier pool: routing, the gate, weights, None, start-up errors, time
limits, verifiers that raise, workers that die, and no processes left behind."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "plugins"))   # misbehaving.py, my_verifiers.py

from rewards.hybrid import HybridReward, RewardSetupError, UnknownTask  # noqa: E402
from rewards.pool import Check, VerifierPool  # noqa: E402
from rl.schema import FormatConfig, RewardsConfig, TaskRewardConfig  # noqa: E402

T = TaskRewardConfig


def think(solution: str) -> str:
    return f"<think>let me see</think>{solution}"


def config(tasks: dict, **kw) -> RewardsConfig:
    return RewardsConfig(tasks=tasks, plugins=["misbehaving"], **kw)


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] == "Z"   # a zombie counts as left over
    except FileNotFoundError:
        return True


ROUTED = [  # (sample, response, expected reward): one batch through the built-in verifiers
    ({"task": "math", "answer": "0.5"}, think(r"So \boxed{\frac{1}{2}}"), 1.0),
    ({"task": "math", "answer": "3"}, think(r"\boxed{4}"), 0.0),
    ({"task": "count", "answer": 3}, think("There are 3 circles."), 1.0),
    ({"task": "count", "answer": 3}, think("There are 5 circles."), 0.0),
    ({"task": "choice", "answer": "B"}, think("The answer is B."), 1.0),
    ({"task": "choice", "answer": "B"}, think("The answer is C."), 0.0),
    ({"task": "grounding", "answer": [100, 100, 400, 400]}, think("[100, 100, 400, 400]"), 1.0),
    ({"task": "grounding", "answer": [100, 100, 400, 400]}, think("[600, 600, 900, 900]"), 0.0),
    ({"task": "format"}, think("anything"), 1.0),
    ({"task": "format"}, "no think block", 0.0),
    ({"task": "math", "answer": "2"}, r"\boxed{2} with no think block", 0.0),
]


@pytest.fixture(scope="module")
def hybrid():
    with HybridReward(RewardsConfig(workers=2, timeout_s=10.0)) as h:
        yield h


def test_routes_every_task_in_one_batch(hybrid):
    results = hybrid.score([s for s, _, _ in ROUTED], [r for _, r, _ in ROUTED])
    assert [r.reward for r in results] == [e for _, _, e in ROUTED]
    assert results[0].rewards == {"math": 1.0} and results[0].format_ok is True
    assert results[8].rewards == {} and results[9].format_ok is False
    assert results[10].format_reason.startswith("missing") and results[10].rewards == {}
    assert all(r.error is None and not r.timeouts for r in results)


def test_in_process_mode_gives_the_same_rewards(hybrid):
    with HybridReward(RewardsConfig(workers=0)) as h:
        assert h.pool.workers == []
        results = h.score([s for s, _, _ in ROUTED], [r for _, r, _ in ROUTED])
    assert [r.reward for r in results] == [e for _, _, e in ROUTED]


def test_no_format_skips_the_gate_except_for_the_format_task(hybrid):
    samples = [{"task": "math", "answer": "2"}, {"task": "format"}]
    results = hybrid.score(samples, [r"\boxed{2}", "bare"], no_format=True)
    assert results[0].reward == 1.0 and results[0].format_ok is None
    assert results[1].reward == 0.0 and results[1].format_ok is False


def test_failed_gate_gives_fail_reward_and_runs_no_verifier():
    cfg = config({"t": T(sources={"always_one": 1.0, "misbehaving:die": 1.0})},
                 format=FormatConfig(fail_reward=-1.0), workers=1)
    with HybridReward(cfg) as h:
        bad, good = h.score([{"task": "t"}, {"task": "t"}], ["1", think("1")])
        assert h.pool.restarts == 1   # only the passing response reached the dying verifier
    assert bad.reward == -1.0 and bad.format_ok is False and bad.rewards == {} and bad.error is None
    assert good.rewards == {"always_one": 1.0, "misbehaving:die": 0.0} and "died" in good.error


def test_weights_none_and_no_applicable_source():
    cfg = config({
        "weighted": T(sources={"always_one": 3.0, "misbehaving:half": 1.0}),
        "some_na": T(sources={"always_one": 1.0, "misbehaving:not_applicable": 5.0}),
        "all_na": T(sources={"misbehaving:not_applicable": 1.0}),
        "ungated": T(sources={"misbehaving:half": 1.0}, format_gate=False),
    }, workers=0)
    with HybridReward(cfg) as h:
        w, na, all_na, ungated = h.score([{"task": t} for t in ("weighted", "some_na", "all_na", "ungated")],
                                         [think("x")] * 3 + ["no think"])
    assert w.reward == pytest.approx((3 * 1.0 + 1 * 0.5) / 4)
    assert na.reward == 1.0 and na.rewards == {"always_one": 1.0, "misbehaving:not_applicable": None}
    assert all_na.reward == 0.0 and all_na.note == "no applicable reward source"
    assert ungated.reward == 0.5 and ungated.format_ok is None


def test_task_meta_reaches_the_verifier_and_the_sample_wins():
    cfg = config({"kw": T(sources={"my_verifiers:has_keyword": 1.0}, meta={"keyword": "cat"})}, workers=0)
    with HybridReward(cfg) as h:
        a, b = h.score([{"task": "kw"}, {"task": "kw", "keyword": "dog"}], [think("a cat")] * 2)
    assert a.reward == 1.0 and a.details["my_verifiers:has_keyword"] == {"keyword": "cat"}
    assert b.reward == 0.0


def test_train_meta_applies_to_training_rewards_only():
    # gold box [0,0,100,100] (norm-1000), answer [0,0,100,50]: IoU 0.5 -> dense reward 0.5 in
    # training, 0 at evaluation with threshold 0.6
    cfg = config({"grounding": T(sources={"grounding": 1.0}, meta={"iou_threshold": 0.6},
                                 train_meta={"iou_mode": "iou"})}, workers=0)
    sample = {"task": "grounding", "answer": [0, 0, 100, 100], "image_size": [112, 112]}
    with HybridReward(cfg) as h:
        ev, = h.score([sample], [think("[0,0,100,50]")])
        tr, = h.score([sample], [think("[0,0,100,50]")], train=True)
    assert ev.reward == 0.0
    assert tr.reward == pytest.approx(0.5)


def test_unknown_names_fail_at_start_up():
    with pytest.raises(RewardSetupError, match=r"rewards.tasks.math.sources: unknown verifier 'maths'.*known: .*math"):
        HybridReward(RewardsConfig(tasks={"math": T(sources={"maths": 1.0})}, workers=0))
    with pytest.raises(RewardSetupError, match="cannot load verifier 'misbehaving:nope'"):
        HybridReward(config({"t": T(sources={"misbehaving:nope": 1.0})}, workers=0))
    with pytest.raises(RewardSetupError, match="no reward model was given"):
        HybridReward(RewardsConfig(tasks={"t": T(sources={"rm": 1.0})}, workers=0))
    with pytest.raises(RewardSetupError, match="cannot import verifier plugin module 'not_a_module'"):
        HybridReward(RewardsConfig(plugins=["not_a_module"], workers=0))


def test_unknown_task_names_it_and_the_known_ones(hybrid):
    with pytest.raises(UnknownTask, match=r"unknown task 'maths' \(did you mean 'math'\?\); known tasks: .*count"):
        hybrid.score([{"task": "math", "answer": "1"}, {"task": "maths"}], ["x", "y"])


def test_reward_model_is_batched_and_weighted():
    class FakeRM:
        calls = []

        def score(self, samples, solutions):
            self.calls.append(list(solutions))
            return [0.25 for _ in samples]

    rm = FakeRM()
    cfg = config({"chat": T(sources={"rm": 1.0}), "mixed": T(sources={"rm": 1.0, "always_one": 1.0})}, workers=0)
    with HybridReward(cfg, rm=rm) as h:
        results = h.score([{"task": "chat"}, {"task": "mixed"}, {"task": "chat"}], [think("a"), think("b"), "c"])
    assert rm.calls == [["a", "b"]]   # one batched call; the failed gate never reaches the RM
    assert [r.reward for r in results] == [0.25, pytest.approx(0.625), 0.0]


def test_timeout_kills_the_check_and_the_batch_completes():
    cfg = config({"t": T(sources={"misbehaving:by_field": 1.0})}, workers=2, timeout_s=2.0)
    samples = [{"task": "t", "behave": "sleep" if i == 3 else "ok"} for i in range(40)]
    with HybridReward(cfg, chunk_size=8) as h:
        h.score([{"task": "t"}], [think("warm up")])
        start = time.monotonic()
        results = h.score(samples, [think("x")] * len(samples))
        took = time.monotonic() - start
    assert took < 25, took   # the verifier sleeps 30 s
    assert results[3].timeouts == ["misbehaving:by_field"] and results[3].reward == 0.0
    assert 1.9 < results[3].elapsed_s < 20
    assert [r.reward for i, r in enumerate(results) if i != 3] == [1.0] * 39


def test_workers_start_with_the_sympy_path_imported():
    # math-verify's imports and first parse took 0.8 s inside a worker's first sympy-path check here;
    # where they take over the time limit, every replaced worker would time out again
    with VerifierPool(1, timeout_s=10.0, plugins=["misbehaving"]) as pool:
        first = pool.run([Check("misbehaving:sympy_path_ready", {}, "x")])[0]
        maths = pool.run([Check("math", {"task": "math", "answer": "7/12"}, "x^2 + \\sqrt{3}")])[0]
    assert first.score == 1.0
    assert maths.score == 0.0 and not maths.timed_out and maths.error is None


def test_raising_verifier_and_dying_worker_cost_one_check_each():
    cfg = config({"t": T(sources={"misbehaving:by_field": 1.0})}, workers=2, timeout_s=10.0)
    behave = ["ok", "raise", "ok", "die", "ok", "ok", "die", "ok"] * 3
    with HybridReward(cfg, chunk_size=4) as h:
        results = h.score([{"task": "t", "behave": b} for b in behave], [think("x")] * len(behave))
        assert h.pool.restarts == 6
    for b, r in zip(behave, results):
        assert r.reward == (1.0 if b == "ok" else 0.0)
        if b == "raise":
            assert "RuntimeError: asked to raise" in r.error
            assert "asked to raise" in r.details["misbehaving:by_field"]["error"]
        if b == "die":
            assert "worker died (exit code 3)" in r.error


def test_no_processes_left_after_close_even_after_kills():
    pool = VerifierPool(2, timeout_s=2.0, plugins=["misbehaving"], chunk_size=2)
    seen = set(pool.pids())
    checks = [Check("misbehaving:by_field", {"behave": b}, "x") for b in ("ok", "sleep", "die", "ok", "ok")]
    results = pool.run(checks)
    seen |= set(pool.pids())
    assert [r.score for r in results] == [1.0, 0.0, 0.0, 1.0, 1.0]
    assert results[1].timed_out and not results[2].timed_out and len(seen) == 4
    pool.close()
    pool.close()   # idempotent
    deadline = time.monotonic() + 5
    while not all(gone(p) for p in seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(gone(p) for p in seen), [p for p in seen if not gone(p)]
    assert os.getpid() not in seen


def test_a_script_without_a_main_guard_runs_once(tmp_path):
    script = tmp_path / "score_it.py"
    script.write_text("from rl.schema import RewardsConfig\nfrom rewards.hybrid import HybridReward\n"
                      "print('script body ran')\nh = HybridReward(RewardsConfig(workers=2))\n"
                      "print(h.score([{'task': 'count', 'answer': 2}], ['<think>.</think>2'])[0].reward)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["script", "body", "ran", "1.0"]   # the workers did not re-run it
