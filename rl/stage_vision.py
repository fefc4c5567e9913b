"""Stage `vision`: pre-train the vision tower + adapter on dense labels (sft/vision.py); saves the model."""
from __future__ import annotations

import json
from pathlib import Path

from sft.vision import VisionSettings, pretrain_vision

from rl.stages import StageError, load_current_model, save_model, stage_runner

SMOKE = {"steps": 2, "batch_size": 4}


@stage_runner("vision")
def run_vision(recipe, stage, ctx) -> dict:
    fields = {k: getattr(stage, k) for k in ("steps", "batch_size", "lr", "grad_clip", "autocast", "word_align",
                                                 "target")}
    if recipe.smoke:
        fields.update(SMOKE)
    d = recipe.tasks.difficulty
    settings = VisionSettings(**fields, seed=recipe.seed, image_size=recipe.tasks.image_size,
                              min_shapes=d.min_shapes, max_shapes=d.max_shapes, min_size=d.min_size,
                              max_size=d.max_size, eval_images=8 if recipe.smoke else 64)
    model, processor = load_current_model(recipe, ctx)
    with (Path(ctx.stage_dir) / "log.jsonl").open("a") as log_file:
        def log(row: dict) -> None:
            log_file.write(json.dumps(row) + "\n")
            log_file.flush()
        try:
            summary = pretrain_vision(model, processor, settings, log=log)
        except ValueError as e:
            raise StageError(f"stage {stage.name}: {e}") from e
    ctx.state["model_dir"] = str(save_model(model, processor, Path(ctx.stage_dir) / "model"))
    ctx.state["vision_dir"] = ctx.state["model_dir"]   # the pre-trained vision side (the rm stage's `vision: pretrained`)
    return summary
