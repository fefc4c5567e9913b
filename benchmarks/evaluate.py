"""Evaluate a checkpoint of a run again, as the chain does between stages, with recipe overrides.

    python benchmarks/evaluate.py RUN_DIR MODEL_DIR [key=value ...]
    python benchmarks/evaluate.py runs/hybrid_rl runs/hybrid_rl/rl2/final/policy eval.repetition_penalty=1.2

RUN_DIR is a finished (or partly finished) run: its `config.yaml` is the recipe (the overrides
apply on top, e.g. `eval.repetition_penalty=1.2` or `rollout.max_tokens=128`), and its
`stages.json` gives the data folder and the reward model. MODEL_DIR is any checkpoint (a stage's
`model`, an rl stage's `final/policy`, the control's `model`). The held-out items are scored by
the recipe's hybrid reward with greedy answers (rl/report.py `evaluate_model`), so the figures are
comparable with eval.json's. Prints one JSON line: accuracy per task, mean_verifiable, format_rate.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def run_state(run: Path) -> dict:
    """The state the run's finished stages left (data_dir, rm_dir, ...), as a resume would see it."""
    from rl.stages import read_record

    if not (run / "stages.json").is_file():
        raise SystemExit(f"{run}: no stages.json (not a run folder written by rl.run)")
    state: dict = {}
    for entry in read_record(run)["finished"]:
        state.update(entry.get("state", {}))
    if "data_dir" not in state:
        raise SystemExit(f"{run / 'stages.json'}: no finished `data` stage, so no held-out items to evaluate")
    return state


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2 or argv[0] in ("-h", "--help"):
        raise SystemExit(__doc__)
    run, model_dir, overrides = Path(argv[0]), argv[1], argv[2:]
    if not Path(model_dir).is_dir():
        raise SystemExit(f"{model_dir}: no such checkpoint folder")
    from rl.config import ConfigError, load_recipe
    from rl.report import evaluate_model
    from rl.stages import heldout_items

    state = run_state(run)
    try:
        recipe = load_recipe(run / "config.yaml", overrides)
    except ConfigError as e:
        raise SystemExit(str(e)) from None
    result = evaluate_model(recipe, model_dir, heldout_items(recipe, state), state)
    row = {"model": model_dir, "overrides": overrides,
           **{k: result[k] for k in ("accuracy", "mean_verifiable", "format_rate", "n") if k in result}}
    print(json.dumps(row))
    return row


if __name__ == "__main__":
    main()
