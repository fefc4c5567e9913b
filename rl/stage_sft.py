"""Stage `sft`: supervised fine-tuning on the task suite's targets; saves the model for the next stage."""
from __future__ import annotations

import json
from pathlib import Path

from sft.trainer import SFTSettings, train_sft
from tasks import load_suite

from rl.stages import StageError, load_current_model, save_model, stage_runner

SMOKE = {"steps": 2, "batch_size": 4, "warmup_steps": 1}


@stage_runner("sft")
def run_sft(recipe, stage, ctx) -> dict:
    if "data_dir" not in ctx.state:
        raise StageError(f"stage {stage.name}: needs a `data` stage before it")
    items = load_suite(ctx.state["data_dir"], "train")
    wanted = set(stage.tasks or recipe.tasks.names)
    pairs = [(it, it.target) for it in items if it.task in wanted and it.target]
    if not pairs:
        raise StageError(f"stage {stage.name}: no training pairs for tasks {sorted(wanted)}")
    fields = {k: getattr(stage, k) for k in ("steps", "batch_size", "lr", "warmup_steps",
                                             "weight_decay", "grad_clip", "max_seconds")}
    if recipe.smoke:
        fields.update(SMOKE)
    settings = SFTSettings(**fields, seed=recipe.seed)
    model, processor = load_current_model(recipe, ctx)
    log_path = Path(ctx.stage_dir) / "log.jsonl"
    with log_path.open("a") as log_file:
        def log(row: dict) -> None:
            log_file.write(json.dumps(row) + "\n")
            log_file.flush()
        summary = train_sft(model, processor, pairs, settings, log=log)
    ctx.state["model_dir"] = str(save_model(model, processor, Path(ctx.stage_dir) / "model"))
    return summary
