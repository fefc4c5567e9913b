"""Procedurally generated "shapes world" tasks: count, grounding, math, choice, chat, temporal.

    from tasks import generate_suite, load_items
    paths = generate_suite("data/shapes", n_train=1000, n_heldout=100, seed=0)
    items = load_items(paths["train"], image_root="data/shapes")

See tasks/suite.py for the on-disk layout, tasks/generate.py for the record fields per task and the
Difficulty knobs, tasks/io.py for validation.
"""
from .generate import MATH_KINDS, TASKS, Difficulty, frac_text, seconds_text
from .io import ANSWER_KINDS, TaskDataError, TaskItem, answer_text, load_items, read_jsonl, validate_record, write_jsonl
from .shapes import COLOURS, SHAPES, box_text, box_to_norm1000, norm1000, stable_seed
from .suite import generate_suite, load_suite, make_item, split_of

__all__ = [
    "TASKS", "MATH_KINDS", "COLOURS", "SHAPES", "ANSWER_KINDS", "Difficulty", "TaskItem", "TaskDataError",
    "generate_suite", "load_suite", "make_item", "split_of", "load_items", "read_jsonl", "write_jsonl",
    "validate_record", "answer_text", "norm1000", "box_to_norm1000", "box_text", "stable_seed", "frac_text",
    "seconds_text",
]
