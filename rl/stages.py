"""The stage chain of a recipe: each stage runs once, in order, and records its result.

A stage runner is `fn(recipe, stage, ctx) -> dict` registered by kind with `@stage_runner`. What a
stage hands to the next (the data dir, a checkpoint) goes into `ctx.state`; the summary it
returns is written to OUTPUT_DIR/stages.json. A finished stage is skipped on resume and its state
restored from that file.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rich.console import Console

console = Console(stderr=True)
_RUNNERS: dict[str, Callable] = {}


class StageError(Exception):
    """A stage failed for a reason the user can act on (bad data file, missing checkpoint...)."""


@dataclass
class StageContext:
    out: Path                       # the run's output_dir
    stage_dir: Path                 # OUTPUT_DIR/<stage name>
    state: dict[str, Any] = field(default_factory=dict)   # handed from stage to stage


def stage_runner(kind: str):
    def register(fn):
        _RUNNERS[kind] = fn
        return fn
    return register


def _load_builtin_runners() -> None:
    import rl.stage_data  # noqa: F401  (registers "data")
    import rl.stage_sft  # noqa: F401  (registers "sft")
    import rl.stage_vision  # noqa: F401  (registers "vision")
    import rl.stage_rl  # noqa: F401  (registers "rl")
    import rl.stage_rft  # noqa: F401  (registers "rft")
    import rl.stage_rm  # noqa: F401  (registers "rm")


def load_current_model(recipe, ctx: StageContext):
    """(model, processor) of the latest stage's checkpoint, else the recipe's starting model."""
    from model.load import load_vlm, resolve_model_path
    import torch

    path = ctx.state.get("model_dir") or resolve_model_path(recipe.model.path, seed=recipe.model.seed)
    try:
        return load_vlm(path, dtype=getattr(torch, recipe.model.dtype),
                        freeze_vision=recipe.model.freeze_vision, freeze_adapter=recipe.model.freeze_adapter)
    except (FileNotFoundError, OSError, ValueError) as e:
        raise StageError(f"cannot load model {str(path)!r}: {e}") from e


def save_model(model, processor, path: Path) -> Path:
    """Save model (safetensors) + processor atomically: write beside, then rename into place."""
    import shutil

    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    processor.save_pretrained(tmp)
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)
    return path


def read_record(out: Path) -> dict[str, Any]:
    """OUTPUT_DIR/stages.json: `{"finished": [{"name", "kind", "seconds", "summary", "state"}, ...]}`
    in the order the stages finished (empty before the first)."""
    path = Path(out) / "stages.json"
    return json.loads(path.read_text()) if path.exists() else {"finished": []}


def run_stages(recipe, out: Path) -> dict[str, Any]:
    """Run the recipe's stages in order; evaluate the model after each model stage; return the
    final state."""
    _load_builtin_runners()
    record_path = out / "stages.json"
    record = read_record(out)
    done = {entry["name"]: entry for entry in record["finished"]}
    state: dict[str, Any] = {}
    for stage in recipe.stages:
        if stage.name in done:
            state.update(done[stage.name].get("state", {}))
            console.print(f"[dim]stage {stage.name}: finished earlier, skipped[/dim]")
        else:
            ctx = StageContext(out=out, stage_dir=out / stage.name, state=state)
            ctx.stage_dir.mkdir(parents=True, exist_ok=True)
            console.print(f"[bold]stage {stage.name}[/bold] ({stage.kind})")
            start = time.time()
            summary = _RUNNERS[stage.kind](recipe, stage, ctx)
            entry = {"name": stage.name, "kind": stage.kind, "seconds": round(time.time() - start, 2),
                     "summary": summary, "state": _jsonable(state)}
            record["finished"].append(entry)
            write_json(record_path, record)
            console.print(f"stage {stage.name}: done in {entry['seconds']} s {_short(summary)}")
        evaluate_after(recipe, stage, out, state)
    if recipe.control:
        from rl.control import run_control
        run_control(recipe, out, record, state)
    from rl.report import read_eval, table
    if read_eval(out).get("stages"):
        console.print(table(read_eval(out)))
    return state


def evaluate_after(recipe, stage, out: Path, state: dict) -> None:
    """Held-out accuracy of the model a stage produced, once (kept in eval.json across resumes)."""
    from rl.report import MODEL_STAGES, evaluate_model, read_eval, record_stage

    if recipe.eval.between_stages and "data_dir" in state:
        record_prior(recipe, out, state)
    if not recipe.eval.between_stages or stage.kind not in MODEL_STAGES or "model_dir" not in state:
        return
    if getattr(stage, "pretraining", False):
        return
    if any(e["stage"] == stage.name for e in read_eval(out).get("stages", [])):
        return
    items = heldout_items(recipe, state)
    result = evaluate_model(recipe, state["model_dir"], items, state)
    record_stage(out, stage.name, result)
    console.print(f"eval after {stage.name}: mean_verifiable {result['mean_verifiable']} {result['accuracy']}")


def record_prior(recipe, out: Path, state: dict) -> None:
    """The answer-prior baseline (rl/prior.py), once, beside the stages in eval.json."""
    from rl.prior import prior_accuracy
    from rl.report import read_eval, record_stage
    from tasks import load_suite

    if "prior" in read_eval(out):
        return
    train = [it for it in load_suite(state["data_dir"], "train") if it.task in recipe.rewards.tasks]
    result = prior_accuracy(recipe.rewards, train, heldout_items(recipe, state))
    record_stage(out, result["stage"], result, key="prior")
    console.print(f"answer prior ({result['answers']}): mean_verifiable {result['mean_verifiable']} "
                  f"{result['accuracy']}")


def heldout_items(recipe, state: dict) -> list:
    """Held-out items of the tasks that have a reward (a few per task when smoke=true)."""
    from tasks import load_suite

    items = [it for it in load_suite(state["data_dir"], "heldout") if it.task in recipe.rewards.tasks]
    limit = 2 if recipe.smoke else recipe.eval.max_items_per_task
    if not limit:
        return items
    kept, counts = [], Counter()
    for it in items:
        if counts[it.task] < limit:
            kept.append(it)
            counts[it.task] += 1
    return kept


def _short(summary: dict) -> str:
    return json.dumps({k: v for k, v in summary.items() if k != "eval"})[:300]


def _jsonable(state: dict) -> dict:
    return {k: str(v) if isinstance(v, Path) else v for k, v in state.items()}


def write_json(path: Path, obj) -> None:
    """Write JSON atomically (a temporary file beside it, then rename)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(obj, indent=1))
    tmp.replace(path)
