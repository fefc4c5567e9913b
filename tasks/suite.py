"""Write a shapes-world suite to disk: {train,heldout}.jsonl + images/ + manifest.json (cache).

Layout of ``out_dir``::

    manifest.json            the arguments (a later call with the same ones is a no-op)
    train.jsonl              n_train items of every task, mixed (index-major: task order repeats)
    heldout.jsonl            n_heldout items of every task, mixed
    images/{split}/{id}.png  one image per item; temporal: {id}_f{j}.png, one per frame

Item ``index`` of ``task`` in ``split`` is drawn from random.Random(stable_seed(seed, split, task,
index, attempt)). Splits are disjoint by construction: an item's content key (math: its expression;
other tasks: prompt + scene) hashes to exactly one split, and draws whose key belongs to the other
split are rejected (attempt += 1). The partition does not depend on the seed, so held-out items never
occur in any train set; about 1 in 5 keys belongs to heldout.
"""
from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

from .generate import GENERATORS, TASKS, Difficulty, draft_key
from .io import answer_text, load_items, write_jsonl
from .shapes import render, save_png, stable_seed

FORMAT_VERSION = 1
SPLITS = ("train", "heldout")
HELDOUT_BUCKETS = 1  # of 5
MAX_ATTEMPTS = 1000


def split_of(key: str) -> str:
    """The split a content key belongs to (independent of the suite seed)."""
    return "heldout" if stable_seed("split", key) % 5 < HELDOUT_BUCKETS else "train"


def _size(image_size) -> tuple[int, int]:
    if isinstance(image_size, int):
        return image_size, image_size
    w, h = image_size
    return int(w), int(h)


def make_item(task: str, split: str, index: int, seed: int = 0, difficulty: Difficulty | None = None,
              image_size=112, out_dir=None) -> tuple[dict, list]:
    """One record (and its rendered PIL frames; saved under out_dir/images when out_dir is given)."""
    if task not in GENERATORS:
        raise ValueError(f"unknown task {task!r} (known: {', '.join(TASKS)})")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (known: {', '.join(SPLITS)})")
    d = difficulty or Difficulty()
    W, H = _size(image_size)
    for attempt in range(MAX_ATTEMPTS):
        rng = random.Random(stable_seed(seed, split, task, index, attempt))
        draft = GENERATORS[task](rng, d, W, H)
        if split_of(draft_key(task, draft)) == split:
            break
    else:
        raise ValueError(f"no {split} item for task {task!r} in {MAX_ATTEMPTS} draws: "
                         f"the difficulty leaves too few distinct items")
    iid = f"{task}-{split}-{index:06d}"
    if len(draft.frames) == 1:
        images = [f"images/{split}/{iid}.png"]
    else:
        images = [f"images/{split}/{iid}_f{j}.png" for j in range(len(draft.frames))]
    f = draft.fields
    rec = {"id": iid, "task": task, "split": split, "prompt": f["prompt"], "images": images,
           "answer": f["answer"], "cot": f["cot"], "target": f"<think>{f['cot']}</think>{draft.answer_text}",
           "image_size": [W, H]}
    rec.update((k, v) for k, v in f.items() if k not in rec)
    assert answer_text(task, rec["answer"], rec.get("reference")) == draft.answer_text
    frames = [render(fr, W, H) for fr in draft.frames]
    if out_dir is not None:
        for img, rel in zip(frames, images):
            save_png(img, Path(out_dir) / rel)
    return rec, frames


def generate_suite(out_dir, tasks=TASKS, n_train: int = 100, n_heldout: int = 50, seed: int = 0,
                   difficulty: Difficulty | dict | None = None, image_size=112) -> dict[str, Path]:
    """Write the suite (n_train / n_heldout items *per task*) and return {"train": path, "heldout": path}.
    A second call with the same arguments finds manifest.json and returns at once; different
    arguments delete the previous images/ and regenerate."""
    out = Path(out_dir)
    tasks = list(tasks)
    unknown = [t for t in tasks if t not in GENERATORS]
    if unknown or not tasks or len(set(tasks)) != len(tasks):
        raise ValueError(f"tasks must be distinct names from {TASKS}, got {tasks}")
    if isinstance(difficulty, dict):
        difficulty = Difficulty.from_dict(difficulty)
    d = difficulty or Difficulty()
    W, H = _size(image_size)
    args = {"tasks": tasks, "n_train": int(n_train), "n_heldout": int(n_heldout), "seed": seed,
            "difficulty": d.to_dict(), "image_size": [W, H]}
    paths = {s: out / f"{s}.jsonl" for s in SPLITS}
    mpath = out / "manifest.json"
    if mpath.is_file() and all(p.is_file() for p in paths.values()):
        try:
            old = json.loads(mpath.read_text())
        except json.JSONDecodeError:
            old = None
        if isinstance(old, dict) and old.get("version") == FORMAT_VERSION and old.get("args") == args:
            return paths
    if mpath.exists():  # a suite we wrote before, with other arguments: start afresh
        mpath.unlink()
        shutil.rmtree(out / "images", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for split, n in (("train", n_train), ("heldout", n_heldout)):
        recs = [make_item(t, split, i, seed, d, (W, H), out)[0] for i in range(n) for t in tasks]
        write_jsonl(paths[split], recs)
        counts[split] = len(recs)
    tmp = mpath.with_name(f".manifest.json.tmp-{os.getpid()}")
    tmp.write_text(json.dumps({"version": FORMAT_VERSION, "args": args, "items": counts}, indent=1) + "\n")
    os.replace(tmp, mpath)
    return paths


def load_suite(out_dir, split: str = "train"):
    """The validated TaskItems of one split of a generated suite."""
    return load_items(Path(out_dir) / f"{split}.jsonl", Path(out_dir))
