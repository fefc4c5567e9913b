"""JSONL reading/writing and validation of task items.

Every problem is reported as a TaskDataError whose message starts with ``file:line:`` and names the
field, e.g. ``train.jsonl:17: field 'answer' must be a string for task 'math', got list``.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .generate import TASKS
from .shapes import box_text


class TaskDataError(ValueError):
    """A malformed task file or record; the message names file:line and the field."""


_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "list", dict: "object",
               type(None): "null"}

# answer kind per task: "int_text" (decimal digits), "text", "letter", "box" (4 ints in [1, 1000]), "null"
ANSWER_KINDS = {"count": "int_text", "grounding": "box", "math": "text", "choice": "letter", "chat": "null",
                "temporal": "text"}


def _type(v) -> str:
    return _JSON_TYPES.get(type(v), type(v).__name__)


def answer_text(task: str, answer, reference: str | None = None) -> str | None:
    """The answer as it is written after </think>: a box as "[x1,y1,x2,y2]", chat its reference."""
    if task == "grounding":
        return box_text(answer)
    if answer is None:
        return reference
    return str(answer)


@dataclass
class TaskItem:
    id: str
    task: str
    prompt: str
    images: list[str]                 # relative to image_root (as stored in the JSONL)
    answer: Any                       # str; grounding: [x1, y1, x2, y2] in norm1000; chat: None
    cot: str | None = None
    target: str | None = None         # "<think>{cot}</think>{answer text}" for cold-start SFT
    meta: dict = field(default_factory=dict)  # every other field: shapes, image_size, choices, fps, ...
    image_root: Path = Path(".")

    @property
    def image_paths(self) -> list[Path]:
        return [self.image_root / p for p in self.images]

    @property
    def answer_text(self) -> str | None:
        return answer_text(self.task, self.answer, self.meta.get("reference"))

    def to_record(self) -> dict:
        rec = {"id": self.id, "task": self.task, "prompt": self.prompt, "images": list(self.images),
               "answer": self.answer}
        if self.cot is not None:
            rec["cot"] = self.cot
        if self.target is not None:
            rec["target"] = self.target
        rec.update(self.meta)
        return rec


def write_jsonl(path, records: Iterable[dict]) -> Path:
    """Write one JSON object per line, atomically (a temporary file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            for rec in records:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def read_jsonl(path) -> list[dict]:
    """Parse a JSONL file (blank lines skipped); each line must be a JSON object, else TaskDataError
    naming file:line. No schema check (load_items does that)."""
    return [rec for _, rec in _read_numbered(Path(path))]


def _read_numbered(path: Path) -> list[tuple[int, dict]]:
    if not path.is_file():
        raise TaskDataError(f"{path}: file not found")
    out = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise TaskDataError(f"{path}:{lineno}: malformed JSON: {e.msg} (column {e.colno})") from None
            if not isinstance(rec, dict):
                raise TaskDataError(f"{path}:{lineno}: a record must be a JSON object, got {_type(rec)}")
            out.append((lineno, rec))
    return out


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def validate_record(rec: dict, where: str = "record") -> None:
    """Check one record's fields and types; raise TaskDataError("{where}: field ...")."""
    def fail(fname, msg):
        raise TaskDataError(f"{where}: field '{fname}' {msg}")

    for fname in ("id", "task", "prompt"):
        if fname not in rec:
            fail(fname, "is missing")
        if not isinstance(rec[fname], str) or not rec[fname]:
            fail(fname, f"must be a non-empty string, got {_type(rec[fname])}")
    task = rec["task"]
    if task not in TASKS:
        fail("task", f"names an unknown task {task!r} (known: {', '.join(TASKS)})")
    if "images" not in rec:
        fail("images", "is missing")
    imgs = rec["images"]
    if not isinstance(imgs, list) or not imgs or not all(isinstance(p, str) and p for p in imgs):
        fail("images", f"must be a non-empty list of strings, got {_type(imgs)}")
    if "answer" not in rec:
        fail("answer", "is missing")
    ans, kind = rec["answer"], ANSWER_KINDS[task]
    if kind == "null":
        if ans is not None:
            fail("answer", f"must be null for task '{task}', got {_type(ans)}")
    elif kind == "box":
        if not (isinstance(ans, list) and len(ans) == 4 and all(_is_int(v) for v in ans)):
            fail("answer", f"must be a list of 4 integers for task '{task}', got {_type(ans)}")
        if not all(1 <= v <= 1000 for v in ans) or ans[0] > ans[2] or ans[1] > ans[3]:
            fail("answer", f"must be [x1,y1,x2,y2] in [1,1000] with x1<=x2, y1<=y2, got {ans}")
    else:
        if not isinstance(ans, str):
            fail("answer", f"must be a string for task '{task}', got {_type(ans)}")
        if kind == "int_text" and not ans.isdigit():
            fail("answer", f"must be a non-negative integer written as a string for task '{task}', got {ans!r}")
        if not ans.strip():
            fail("answer", f"must be a non-empty string for task '{task}'")
    for fname in ("cot", "target", "reference"):
        if rec.get(fname) is not None and not isinstance(rec[fname], str):
            fail(fname, f"must be a string, got {_type(rec[fname])}")
    if "shapes" in rec and not (isinstance(rec["shapes"], list) and all(isinstance(s, dict) for s in rec["shapes"])):
        fail("shapes", f"must be a list of objects, got {_type(rec['shapes'])}")
    if "image_size" in rec or task == "grounding":
        size = rec.get("image_size")
        if not (isinstance(size, list) and len(size) == 2 and all(_is_int(v) and v > 0 for v in size)):
            fail("image_size", f"must be [width, height] (positive integers), got {_type(size)}")
    if task == "grounding" and rec.get("coord_space", "norm1000") != "norm1000":
        fail("coord_space", f"must be 'norm1000', got {rec.get('coord_space')!r}")
    if task == "choice":
        ch = rec.get("choices")
        if not (isinstance(ch, list) and len(ch) >= 2 and all(isinstance(c, str) for c in ch)):
            fail("choices", f"must be a list of at least 2 strings for task 'choice', got {_type(ch)}")
        if len(ans) != 1 or not "A" <= ans <= chr(ord("A") + len(ch) - 1):
            fail("answer", f"must be one of the letters A..{chr(ord('A') + len(ch) - 1)}, got {ans!r}")
    if task == "temporal":
        fps = rec.get("fps")
        if not (isinstance(fps, (int, float)) and not isinstance(fps, bool) and fps > 0):
            fail("fps", f"must be a positive number for task 'temporal', got {_type(fps)}")
        ts = rec.get("timestamps")
        if not (isinstance(ts, list) and all(isinstance(t, str) for t in ts)):
            fail("timestamps", f"must be a list of strings for task 'temporal', got {_type(ts)}")
        if len(ts) != len(imgs):
            fail("timestamps", f"has {len(ts)} entries for {len(imgs)} frames")


_CORE = ("id", "task", "prompt", "images", "answer", "cot", "target")


def load_items(path, image_root=None, check_images: bool = True) -> list[TaskItem]:
    """Read and validate a task JSONL; image paths are resolved under image_root (default: the
    file's folder) and must exist. Raises TaskDataError naming file:line and the field."""
    path = Path(path)
    root = Path(image_root) if image_root is not None else path.parent
    items, seen = [], {}
    for lineno, rec in _read_numbered(path):
        where = f"{path}:{lineno}"
        validate_record(rec, where)
        if rec["id"] in seen:
            raise TaskDataError(f"{where}: field 'id' {rec['id']!r} repeats the id on line {seen[rec['id']]}")
        seen[rec["id"]] = lineno
        if check_images:
            for i, p in enumerate(rec["images"]):
                if not (root / p).is_file():
                    raise TaskDataError(f"{where}: field 'images'[{i}]: image file {p!r} not found under {root}")
        items.append(TaskItem(id=rec["id"], task=rec["task"], prompt=rec["prompt"], images=list(rec["images"]),
                              answer=rec["answer"], cot=rec.get("cot"), target=rec.get("target"),
                              meta={k: v for k, v in rec.items() if k not in _CORE}, image_root=root))
    return items
