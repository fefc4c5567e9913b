"""Atomic checkpoints of an RL stage: OUTPUT_DIR/<stage>/checkpoints/step_NNNNNN/

    policy/      HF safetensors + processor (loads like any checkpoint, and in vLLM)
    critic/      the shared critic (model/value.py format)
    learner.pt   optimiser states, update count, torch RNG
    loop.json    step, data position, reward-normaliser statistics, Python RNG

A checkpoint is written to `step_N.tmp` and renamed into place, then `latest` is replaced, so a
crash at any moment leaves the previous checkpoint intact. The newest `keep` are kept.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path


def checkpoint_root(stage_dir: str | Path) -> Path:
    return Path(stage_dir) / "checkpoints"


def latest_checkpoint(stage_dir: str | Path) -> Path | None:
    root = checkpoint_root(stage_dir)
    pointer = root / "latest"
    if not pointer.is_file():
        return None
    path = root / pointer.read_text().strip()
    return path if (path / "loop.json").is_file() else None


def save_checkpoint(stage_dir: str | Path, step: int, learner, loop_state: dict, keep: int = 2) -> Path:
    """`learner.save(dir)` writes the models and optimiser state (it may be a Ray actor's method,
    given here as a plain callable); `loop_state` is JSON."""
    root = checkpoint_root(stage_dir)
    root.mkdir(parents=True, exist_ok=True)
    name = f"step_{step:06d}"
    tmp, final = root / f"{name}.tmp", root / name
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    learner(str(tmp))
    (tmp / "loop.json").write_text(json.dumps({**loop_state, "step": step}))
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    pointer_tmp = root / "latest.tmp"
    pointer_tmp.write_text(name)
    os.replace(pointer_tmp, root / "latest")
    for old in sorted(p for p in root.glob("step_*") if p.is_dir() and not p.name.endswith(".tmp"))[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def load_loop_state(path: str | Path) -> dict:
    return json.loads((Path(path) / "loop.json").read_text())
