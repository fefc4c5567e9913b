"""benchmarks/rl_step.py runs end to end (its --quick configuration): both of our estimators and
TRL's GRPOTrainer take every step, and the last line is the JSON the docs quote."""
import json

import pytest


@pytest.mark.slow
def test_rl_step_quick_prints_the_figures_of_each_side(capsys):
    from benchmarks.rl_step import main

    out = main(["--quick", "--steps", "1"])
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last == out and out["ours_estimator"] == "grpo"
    assert set(out["by_estimator"]) == {"grpo", "gae"}
    for est, side in out["by_estimator"].items():
        assert side["samples_per_s"] > 0 and side["ratio"] == out[f"ratio_{est}"]
        assert side["tokens_per_step"] == [2 * 2 * 16]   # EOS banned: fixed-length completions
    assert out["ratio"] == out["ratio_grpo"] and out["trl_tokens_per_step"] == [64]
