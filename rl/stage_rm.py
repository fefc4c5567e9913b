"""Stage `rm`: train the scalar reward model on preference pairs of the suite's `chat` items.

Pairs (rewards/preferences.py) are written to OUTPUT_DIR/<stage>/pairs_{train,heldout}.jsonl; the RM
(model/value.py's ScalarModel, initialised from the current model: the SFT checkpoint when an `sft`
stage ran before, else the recipe's model; with `vision: pretrained` its vision tower + adapter are
those the `vision` stage saved) is trained with the Bradley-Terry loss
(rewards/rm_train.py) and saved to OUTPUT_DIR/<stage>/rm. Cached: an RM there trained with the same
settings, data and starting model is reused. Its held-out pairwise accuracy is printed and merged into
OUTPUT_DIR/eval.json as {"rm": {"pairwise_accuracy": x, ...}}, with "off_task_accuracy": how often it
prefers the held-out chosen descriptions to answers that describe nothing (rewards/preferences.py
`off_task_answer`); `ctx.state["rm_dir"]` names the RM.
"""
from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from rewards.preferences import off_task_answer, preference_pairs, write_pairs
from rewards.rm import STAMP, read_stamp
from rewards.rm_train import RMSettings, pairwise_accuracy, train_rm
from tasks import load_suite, stable_seed

from rl.stages import StageError, console, load_current_model, stage_runner

SMOKE = {"steps": 2, "batch_size": 4, "micro_batch_size": 4, "warmup_steps": 1, "n_pairs": 8, "n_heldout_pairs": 4}
TRAIN_FIELDS = ("steps", "batch_size", "micro_batch_size", "lr", "warmup_steps", "weight_decay",
                "grad_clip", "max_seconds", "autocast", "vision_lr_mult", "head_lr_mult", "freeze_backbone",
                "schedule")


@stage_runner("rm")
def run_rm(recipe, stage, ctx) -> dict:
    if "data_dir" not in ctx.state:
        raise StageError(f"stage {stage.name}: needs a `data` stage before it")
    if recipe.smoke:
        stage = stage.model_copy(update=SMOKE)
    data_dir = ctx.state["data_dir"]
    train, heldout = make_pairs(recipe, stage, data_dir, Path(ctx.stage_dir))
    rm_dir = Path(ctx.stage_dir) / "rm"
    vision_dir = pretrained_vision_dir(recipe, stage, ctx)
    key = config_hash(recipe, stage, data_dir, ctx.state.get("model_dir"), vision_dir)
    summary = cached_summary(rm_dir, key)
    if summary is None:
        summary = train_and_save(recipe, stage, ctx, train, heldout, rm_dir, vision_dir)
        (rm_dir / STAMP).write_text(json.dumps({"config_hash": key, "summary": summary}, indent=1))
    else:
        console.print(f"stage {stage.name}: reward model in {rm_dir} is up to date, not retrained")
    merge_eval(Path(ctx.out), {"pairwise_accuracy": summary["pairwise_accuracy"],
                               "n_heldout_pairs": len(heldout), "n_train_pairs": len(train),
                               "off_task_accuracy": summary.get("off_task_accuracy")})
    console.print(f"[bold]reward model[/bold]: held-out pairwise accuracy {summary['pairwise_accuracy']:.3f} "
                  f"({len(heldout)} pairs); a description over an off-task answer "
                  f"{summary.get('off_task_accuracy', float('nan')):.3f}")
    ctx.state["rm_dir"] = str(rm_dir)
    return summary


def pretrained_vision_dir(recipe, stage, ctx) -> str | None:
    """With `vision: pretrained`, the checkpoint the `vision` stage saved (its state's `vision_dir`;
    in a run resumed from before that key, the recipe's vision stage's folder)."""
    if stage.vision == "current":
        return None
    path = ctx.state.get("vision_dir")
    if not path:
        saved = [Path(ctx.out) / s.name / "model" for s in recipe.stages if s.kind == "vision"]
        path = next((str(p) for p in saved if p.is_dir()), None)
    if not path or not Path(path).is_dir():
        raise StageError(f"stage {stage.name}: `vision: pretrained` needs a `vision` stage before it "
                         f"(no pre-trained vision checkpoint in this run{f': {path} is gone' if path else ''}); "
                         "set `vision: current` to keep the starting model's vision side")
    return path


def make_pairs(recipe, stage, data_dir: str, out: Path) -> tuple[list[dict], list[dict]]:
    """Train pairs from the train split, held-out pairs from the held-out split (written as JSONL)."""
    try:   # held-out pairs: the description mistakes only (off-task ones are scored apart)
        train = preference_pairs(load_suite(data_dir, "train"), stage.n_pairs, recipe.seed, stage.off_task_rate)
        heldout = preference_pairs(load_suite(data_dir, "heldout"), stage.n_heldout_pairs, recipe.seed)
    except ValueError as e:
        raise StageError(f"stage {stage.name}: {e}") from e
    write_pairs(out / "pairs_train.jsonl", train)
    write_pairs(out / "pairs_heldout.jsonl", heldout)
    for pair in train + heldout:
        pair["image_root"] = str(data_dir)
    return train, heldout


def config_hash(recipe, stage, data_dir: str, model_dir: str | None, vision_dir: str | None = None) -> str:
    """What the trained RM depends on: stage settings, model, data manifest, starting checkpoint(s)."""
    manifest = Path(data_dir) / "manifest.json"
    parts = {"stage": stage.model_dump(exclude={"name"}), "model": recipe.model.model_dump(), "seed": recipe.seed,
             "data": manifest.read_text() if manifest.is_file() else str(data_dir), "start": model_dir,
             "start_mtime": _mtime(model_dir)}
    if vision_dir:
        parts.update(vision=vision_dir, vision_mtime=_mtime(vision_dir))
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _mtime(path: str | None) -> float | None:
    weights = sorted(Path(path).glob("*.safetensors")) if path else []
    return weights[0].stat().st_mtime if weights else None


def cached_summary(rm_dir: Path, key: str) -> dict | None:
    stamp = read_stamp(rm_dir)
    return stamp["summary"] if stamp and stamp.get("config_hash") == key else None


def train_and_save(recipe, stage, ctx, train: list[dict], heldout: list[dict], rm_dir: Path,
                   vision_dir: str | None = None) -> dict:
    from model.load import copy_vision, load_vlm, resolve_model_path
    from model.value import ScalarModel

    policy, processor = load_current_model(recipe, ctx)
    if vision_dir:
        try:
            copy_vision(policy, load_vlm(vision_dir)[0])
        except ValueError as e:
            raise StageError(f"stage {stage.name}: vision side from {vision_dir}: {e}") from e
    source = ctx.state.get("model_dir") or resolve_model_path(recipe.model.path, seed=recipe.model.seed)
    rm = ScalarModel.from_policy(policy, pool=stage.pool, head=stage.head, match_window=stage.match_window,
                                tally=stage.tally)
    del policy
    settings = RMSettings(**{k: getattr(stage, k) for k in TRAIN_FIELDS}, seed=recipe.seed)
    with (Path(ctx.stage_dir) / "log.jsonl").open("a") as log_file:
        def log(row: dict) -> None:
            log_file.write(json.dumps(row) + "\n")
            log_file.flush()
        summary = train_rm(rm, processor, train, settings, log=log)
    summary["pairwise_accuracy"] = pairwise_accuracy(rm, processor, heldout, stage.micro_batch_size)
    off_task = [{**p, "rejected": off_task_answer(p["chosen"], random.Random(stable_seed("off_task", p["id"])))}
                for p in heldout]   # the same held-out items, each against an answer that is no description
    summary["off_task_accuracy"] = pairwise_accuracy(rm, processor, off_task, stage.micro_batch_size)
    rm.save(rm_dir, source_dir=source)
    return summary


def merge_eval(out: Path, rm_result: dict) -> None:
    """Set eval.json's "rm" key, keeping every other key (other stages write theirs)."""
    path = out / "eval.json"
    try:
        data = json.loads(path.read_text()) if path.exists() else {}
    except ValueError:
        data = {}
    data["rm"] = rm_result
    tmp = path.with_name(path.name + ".rm.tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)
