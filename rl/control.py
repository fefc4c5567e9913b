"""The control run (`control=true`): from the cold-start SFT checkpoint, SFT alone on the same
cold-start data for the same wall-clock time that the later stages took, evaluated the same way.
Recorded in eval.json as "control" (stage "sft_only"); without it nobody can tell whether RL helped.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rl.report import evaluate_model, read_eval, record_stage
from rl.stages import StageContext, StageError, console, heldout_items


def run_control(recipe, out: Path, record: dict, state: dict) -> dict | None:
    from rl.stage_sft import settings_of, sft_pairs, train_and_save

    if "control" in read_eval(out):
        return read_eval(out)["control"]
    finished = record["finished"]
    by_name = {s.name: s for s in recipe.stages}
    first = next((i for i, e in enumerate(finished) if e["kind"] == "sft"
                  and not getattr(by_name.get(e["name"]), "pretraining", False)), None)
    if first is None:
        raise StageError("control=true needs an `sft` stage (the cold start) in the recipe")
    budget = sum(e["seconds"] for e in finished[first + 1:])
    if budget <= 0:
        console.print("control: no stage after the cold start; nothing to compare")
        return None
    stage = next(s for s in recipe.stages if s.name == finished[first]["name"])
    sft = finished[first]["summary"]
    rate = sft.get("steps", 1) / max(1e-9, sft.get("seconds", 1.0))   # cold-start SFT steps per second
    settings = replace(settings_of(recipe, stage), steps=max(1, int(budget * rate)), max_seconds=budget)
    ctx = StageContext(out=out, stage_dir=out / "control", state={
        "data_dir": state["data_dir"], "model_dir": str(out / stage.name / "model")})
    ctx.stage_dir.mkdir(parents=True, exist_ok=True)
    console.print(f"[bold]control[/bold]: SFT only from {stage.name} for {budget:.0f} s ({settings.steps} steps max)")
    train_and_save(recipe, ctx, sft_pairs(recipe, stage, state["data_dir"]), settings)
    result = evaluate_model(recipe, ctx.state["model_dir"], heldout_items(recipe, state), state)
    data = record_stage(out, "sft_only", result, key="control")
    console.print(f"control: mean_verifiable {result['mean_verifiable']} {result['accuracy']}")
    return data["control"]
