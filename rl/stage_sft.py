"""Stage `sft`: supervised fine-tuning on the task suite's targets; saves the model for the next stage."""
from __future__ import annotations

import json
from pathlib import Path

from rl.schema import SFTParams
from sft.trainer import SFTSettings, train_sft
from tasks import load_suite
from tasks.cold_start import cold_start_pairs

from rl.stages import StageError, load_current_model, save_model, stage_runner

SMOKE = {"steps": 2, "batch_size": 4, "warmup_steps": 1}


def cold_start_split(recipe, data_dir) -> tuple[list, list]:
    """(cold-start SFT pairs, RL prompt pool) of the train split; deterministic for the recipe."""
    cfg = recipe.tasks.cold_start
    n = min(cfg.n_per_task, 2) if recipe.smoke else cfg.n_per_task   # smoke suites have 4 per task
    return cold_start_pairs(load_suite(data_dir, "train"), n, cfg.wrong_rate, cfg.sloppy_rate, recipe.tasks.seed,
                            cfg.short_rate)


def sft_pairs(recipe, stage, data_dir, stage_dir=None) -> list:
    if stage.data == "captions":
        from tasks.captions import caption_pairs

        cfg = recipe.tasks
        n = min(stage.n_captions, 8) if recipe.smoke else stage.n_captions
        return caption_pairs(Path(stage_dir or data_dir) / "captions", n, cfg.seed,
                             cfg.difficulty.model_dump(), cfg.image_size)
    if stage.data == "vqa":
        from tasks.vqa import vqa_pairs

        cfg = recipe.tasks
        n = min(stage.n_vqa, 8) if recipe.smoke else stage.n_vqa
        return vqa_pairs(Path(stage_dir or data_dir) / "vqa", n, cfg.seed, cfg.difficulty.model_dump(), cfg.image_size,
                         per_image=stage.questions_per_image, think=stage.vqa_think)
    if stage.data == "text":
        from tasks.text_skills import text_pairs

        n = min(stage.n_text, 8) if recipe.smoke else stage.n_text
        return text_pairs(n, recipe.tasks.seed, per_item=stage.questions_per_text)
    wanted = set(stage.tasks or recipe.tasks.names)
    if stage.data == "all":
        pairs = [(it, it.target) for it in load_suite(data_dir, "train") if it.target]
    else:
        pairs = cold_start_split(recipe, data_dir)[0]
    return [(it, target) for it, target in pairs if it.task in wanted]


def settings_of(recipe, stage) -> SFTSettings:
    fields = {k: getattr(stage, k) for k in SFTParams.model_fields}
    if recipe.smoke:
        fields.update(SMOKE)
    return SFTSettings(**fields, seed=recipe.seed)


def train_and_save(recipe, ctx, pairs: list, settings: SFTSettings) -> dict:
    """SFT the current model on `pairs`, log to <stage>/log.jsonl, save to <stage>/model."""
    model, processor = load_current_model(recipe, ctx)
    with (Path(ctx.stage_dir) / "log.jsonl").open("a") as log_file:
        def log(row: dict) -> None:
            log_file.write(json.dumps(row) + "\n")
            log_file.flush()
        summary = train_sft(model, processor, pairs, settings, log=log)
    ctx.state["model_dir"] = str(save_model(model, processor, Path(ctx.stage_dir) / "model"))
    return summary


@stage_runner("sft")
def run_sft(recipe, stage, ctx) -> dict:
    if "data_dir" not in ctx.state:
        raise StageError(f"stage {stage.name}: needs a `data` stage before it")
    pairs = sft_pairs(recipe, stage, ctx.state["data_dir"], ctx.stage_dir)
    if not pairs:
        raise StageError(f"stage {stage.name}: no training pairs (data: {stage.data}, tasks: {stage.tasks})")
    if not stage.pretraining:   # the first task SFT is the cold-start checkpoint (the control's start)
        ctx.state.setdefault("cold_start_dir", str(Path(ctx.stage_dir) / "model"))
    return {"pairs": len(pairs), **train_and_save(recipe, ctx, pairs, settings_of(recipe, stage))}
