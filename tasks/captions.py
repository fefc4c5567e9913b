"""Perception pre-training data: dense captions of fresh shapes-world images.

The report's policy starts RL from a VLM pre-trained on a vast amount of perception data (captions,
counting, grounding); our tiny model starts from random weights, and 300 reasoning traces per task
do not teach its vision tower to see (after the cold-start SFT alone it answers count and choice
questions from text priors). A `captions` SFT stage fills that role: every shape of an image with
its colour and place on a 3x3 grid, then the count, on images drawn for it (not the suite's train
or held-out images), with a prompt of its own and no `<think>` block, so that it carries no task
answers, traces or format:

    List every shape with its colour and place.
    -> a red circle at the top left; a blue square at the centre; 2 shapes.

Every word of such a caption depends on the image. Captions with boxes were tried first: their
digits, hard to predict, dominated the loss and after 200 steps the model had not started to look
(docs/PERFORMANCE.md); a short target whose tokens are all visual gets it looking within ~75 steps.
"""
from __future__ import annotations

from pathlib import Path

from tasks.shapes import centre, position_words
from tasks.suite import generate_suite, load_suite

PROMPT = "List every shape with its colour and place."
SEED_OFFSET = 7919   # captions images come from a seed of their own


def caption(item) -> str:
    """Shapes left to right (then top to bottom), each with colour, kind and place, then the count."""
    meta = item.meta if hasattr(item, "meta") else item
    width, height = meta["image_size"]
    shapes = sorted(meta["shapes"], key=lambda s: centre(s))
    parts = [f"a {s['colour']} {s['shape']} at the {position_words(s, width, height)}" for s in shapes]
    n = len(shapes)
    return "; ".join(parts + [f"{n} shape{'s' if n != 1 else ''}."])


def caption_pairs(out_dir, n: int, seed: int = 0, difficulty=None, image_size=112) -> list[tuple[dict, str]]:
    """n (record, caption) pairs on fresh images written under out_dir (reused when there)."""
    out = Path(out_dir)
    generate_suite(out, tasks=["chat"], n_train=n, n_heldout=1, seed=seed + SEED_OFFSET,
                   difficulty=difficulty, image_size=image_size)
    pairs = []
    for it in load_suite(out, "train"):
        record = {"id": f"{it.id}#caption", "task": "caption", "prompt": PROMPT, "images": list(it.images),
                  "image_root": str(out)}
        pairs.append((record, caption(it)))
    return pairs
