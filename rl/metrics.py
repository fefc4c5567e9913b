"""Per-step metrics: one JSON line per step in OUTPUT_DIR/metrics.jsonl and TensorBoard scalars.

Metric names are flat strings with `/` groups (`reward/task/count`, `kl/task/math`, `time/generate`)
so that TensorBoard groups them and a JSONL reader needs no schema. A resumed run appends; a step
already logged is never written twice (the logger knows the last step in the file).
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def last_logged_step(path: Path) -> int:
    """The highest `step` in a metrics file (-1 if none); a torn last line is ignored."""
    last = -1
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                last = max(last, int(json.loads(line)["step"]))
            except (ValueError, KeyError, TypeError):
                continue
    return last


class MetricsLogger:
    def __init__(self, out_dir: str | Path, tensorboard: bool = True):
        self.path = Path(out_dir) / "metrics.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.last_step = last_logged_step(self.path)
        self._file = self.path.open("a")
        self._tb = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
                self._tb = SummaryWriter(str(Path(out_dir) / "tensorboard"))
            except ImportError:  # tensorboard is optional at run time
                self._tb = None

    def log(self, step: int, metrics: dict[str, Any]) -> bool:
        """Write one step; returns False (and writes nothing) if that step was logged before."""
        if step <= self.last_step:
            return False
        row = {"step": step, **{k: _clean(v) for k, v in metrics.items()}}
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()
        if self._tb is not None:
            for key, value in row.items():
                if key != "step" and isinstance(value, (int, float)) and value is not None:
                    self._tb.add_scalar(key, value, step)
            self._tb.flush()
        self.last_step = step
        return True

    def close(self) -> None:
        self._file.close()
        if self._tb is not None:
            self._tb.close()


def _clean(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 6)
    return value
