"""Stage `data`: generate the shapes-world suite (train + held-out JSONL and PNGs)."""
from __future__ import annotations

from tasks import TaskDataError, generate_suite, load_suite

from rl.stages import StageError, stage_runner

SMOKE_ITEMS = (4, 2)   # per task (train, held-out) when smoke=true


@stage_runner("data")
def run_data(recipe, stage, ctx) -> dict:
    cfg = recipe.tasks
    n_train, n_heldout = SMOKE_ITEMS if recipe.smoke else (cfg.n_train, cfg.n_heldout)
    data_dir = ctx.stage_dir
    try:
        paths = generate_suite(data_dir, tasks=cfg.names, n_train=n_train, n_heldout=n_heldout,
                               seed=cfg.seed, difficulty=cfg.difficulty.model_dump(), image_size=cfg.image_size)
        counts = {split: len(load_suite(data_dir, split)) for split in paths}
    except (TaskDataError, ValueError) as e:
        raise StageError(f"stage {stage.name}: {e}") from e
    ctx.state["data_dir"] = str(data_dir)
    return {"items": counts}
