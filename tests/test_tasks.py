"""The shapes-world task suite: determinism, split disjointness, answer correctness, knobs, validation, cache."""
import ast
import json
import operator
import re
from fractions import Fraction

import numpy as np
import pytest
from PIL import Image

import tasks
from tasks import (COLOURS, TASKS, Difficulty, TaskDataError, generate_suite, load_items, read_jsonl,
                   seconds_text, write_jsonl)

N = 50  # items per task whose answers are checked


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    out = tmp_path_factory.mktemp("suite")
    paths = generate_suite(out, n_train=N, n_heldout=20, seed=0)
    return out, paths


def items_of(suite, split="train"):
    out, paths = suite
    return load_items(paths[split], out)


def pixels(item, j=0):
    return np.asarray(Image.open(item.image_paths[j]).convert("RGB"))


def colour_mask(arr, colour):
    return np.all(arr == np.array(COLOURS[colour], dtype=arr.dtype), axis=-1)


def test_layout_and_schema(suite):
    out, paths = suite
    assert set(paths) == {"train", "heldout"}
    man = json.loads((out / "manifest.json").read_text())
    assert man["args"]["n_train"] == N and man["items"] == {"train": N * len(TASKS), "heldout": 20 * len(TASKS)}
    items = items_of(suite)
    assert [it.task for it in items[: len(TASKS)]] == list(TASKS)  # index-major mix
    assert len({it.id for it in items}) == len(items)
    for it in items:
        assert re.fullmatch(rf"{it.task}-train-\d{{6}}", it.id)
        assert it.target == f"<think>{it.cot}</think>{it.answer_text}"
        assert it.meta["image_size"] == [112, 112]
        assert all(p.is_file() for p in it.image_paths)
        assert Image.open(it.image_paths[0]).size == (112, 112)


def test_determinism(tmp_path):
    a = generate_suite(tmp_path / "a", n_train=6, n_heldout=3, seed=7)
    b = generate_suite(tmp_path / "b", n_train=6, n_heldout=3, seed=7)
    c = generate_suite(tmp_path / "c", n_train=6, n_heldout=3, seed=8)
    for split in ("train", "heldout"):
        assert a[split].read_bytes() == b[split].read_bytes()
        assert a[split].read_bytes() != c[split].read_bytes()
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a/images").rglob("*.png"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b/images").rglob("*.png"))
    assert files_a == files_b and len(files_a) > 6 * len(TASKS)
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)
    shared = [f for f in files_a if (tmp_path / "c" / f).is_file()]
    differ = sum((tmp_path / "a" / f).read_bytes() != (tmp_path / "c" / f).read_bytes() for f in shared)
    assert differ > len(shared) // 2


def test_train_heldout_disjoint(suite):
    train, held = items_of(suite, "train"), items_of(suite, "heldout")
    assert not {it.id for it in train} & {it.id for it in held}

    def key(it):
        if it.task == "math":
            return it.meta["expression"]
        return json.dumps([it.task, it.prompt, it.meta.get("frame_shapes") or it.meta["shapes"]], sort_keys=True)

    assert not {key(it) for it in train} & {key(it) for it in held}
    digest = lambda it: (it.prompt, b"".join(p.read_bytes() for p in it.image_paths))  # noqa: E731
    assert not {digest(it) for it in train} & {digest(it) for it in held}


def check_scene(it):
    """Boxes inside the image and apart; each shape's colour is drawn inside its box and nowhere else."""
    arr = pixels(it)
    W, H = it.meta["image_size"]
    shapes = it.meta["shapes"]
    for i, s in enumerate(shapes):
        x1, y1, x2, y2 = s["box_px"]
        assert 0 <= x1 < x2 <= W and 0 <= y1 < y2 <= H
        for t in shapes[i + 1:]:
            u1, v1, u2, v2 = t["box_px"]
            assert x2 <= u1 or u2 <= x1 or y2 <= v1 or v2 <= y1, "overlapping shapes"
    for colour in COLOURS:
        mask = colour_mask(arr, colour)
        inside = np.zeros_like(mask)
        for s in shapes:
            if s["colour"] == colour:
                x1, y1, x2, y2 = s["box_px"]
                assert mask[y1:y2, x1:x2].sum() > 0.3 * (x2 - x1) * (y2 - y1)
                inside[y1:y2, x1:x2] = True
        assert not (mask & ~inside).any(), f"{colour} pixels outside the {colour} shapes' boxes"


def test_count_answers(suite):
    for it in (it for it in items_of(suite) if it.task == "count"):
        check_scene(it)
        m = re.fullmatch(r"How many (?:(\w+) )?(shapes|circles|squares|triangles|stars) are there\?", it.prompt)
        colour, shape = m.group(1), None if m.group(2) == "shapes" else m.group(2)[:-1]
        want = sum((colour is None or s["colour"] == colour) and (shape is None or s["shape"] == shape)
                   for s in it.meta["shapes"])
        assert it.answer == str(want), it.id
        assert it.cot.startswith("I see ")


def test_grounding_answers(suite):
    items = [it for it in items_of(suite) if it.task == "grounding"]
    for it in items:
        check_scene(it)
        colour, shape = re.fullmatch(r"Give the bounding box of the (\w+) (\w+)\.", it.prompt).groups()
        match = [s for s in it.meta["shapes"] if (s["colour"], s["shape"]) == (colour, shape)]
        assert len(match) == 1 and it.meta["coord_space"] == "norm1000"
        W, H = it.meta["image_size"]
        ax1, ay1, ax2, ay2 = (v * (W if i % 2 == 0 else H) / 1000 for i, v in enumerate(it.answer))
        x1, y1, x2, y2 = match[0]["box_px"]
        ys, xs = np.nonzero(colour_mask(pixels(it), colour)[y1:y2, x1:x2])
        assert ax1 - 0.5 <= x1 + xs.min() and x1 + xs.max() + 1 <= ax2 + 0.5
        assert ay1 - 0.5 <= y1 + ys.min() and y1 + ys.max() + 1 <= ay2 + 0.5
        assert it.answer_text == "[" + ",".join(map(str, it.answer)) + "]"


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def evaluate(node):
    if isinstance(node, ast.Expression):
        return evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return Fraction(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](evaluate(node.left), evaluate(node.right))
    raise ValueError(ast.dump(node))


def test_math_answers(suite):
    items = [it for it in items_of(suite) if it.task == "math"]
    kinds = set()
    for it in items:
        expr, kinds = it.meta["expression"], kinds | {it.meta["math_kind"]}
        m = re.fullmatch(r"(\d+)x \+ (\d+) = (\d+)", expr)
        want = Fraction(int(m[3]) - int(m[2]), int(m[1])) if m else evaluate(ast.parse(expr, mode="eval"))
        assert Fraction(it.answer) == want, (expr, it.answer)
        assert re.fullmatch(r"-?\d+(/\d+)?", it.answer)
        assert it.cot.endswith(it.answer)
        assert (pixels(it) < 128).any()  # the problem is drawn
    assert kinds == set(tasks.MATH_KINDS)


def test_choice_answers(suite):
    items = [it for it in items_of(suite) if it.task == "choice"]
    kinds = set()
    for it in items:
        check_scene(it)
        ch, shapes = it.meta["choices"], it.meta["shapes"]
        opts = re.findall(r"\(([A-H])\) ([a-z ]+?)(?= \(|$)", it.prompt)
        assert [o for _, o in opts] == ch and len(ch) == 4 and len(set(ch)) == 4
        picked = ch[ord(it.answer) - ord("A")]
        q = it.prompt.split("?")[0]
        kinds.add(it.meta["choice_kind"])
        if m := re.fullmatch(r"What colour is the (\w+)", q):
            [s] = [s for s in shapes if s["shape"] == m[1]]
            assert picked == s["colour"]
        elif m := re.fullmatch(r"What shape is the (\w+) object", q):
            [s] = [s for s in shapes if s["colour"] == m[1]]
            assert picked == s["shape"]
        else:
            word = re.fullmatch(r"Which shape is the (\w+)", q)[1]
            axis, sign = {"leftmost": (0, 1), "rightmost": (0, -1), "highest": (1, 1), "lowest": (1, -1)}[word]
            best = min(shapes, key=lambda s: sign * (s["box_px"][axis] + s["box_px"][axis + 2]))
            assert picked == f"{best['colour']} {best['shape']}"
            assert sum(f"{s['colour']} {s['shape']}" == picked for s in shapes) == 1
    assert kinds == {"colour_of", "shape_of", "extreme"}


def test_chat_reference(suite):
    for it in (it for it in items_of(suite) if it.task == "chat"):
        check_scene(it)
        ref, shapes = it.meta["reference"], it.meta["shapes"]
        assert it.answer is None and it.answer_text == ref
        assert f"{len(shapes)} shape" in ref
        for s in shapes:
            assert f"{s['colour']} {s['shape']} at the " in ref


def test_temporal_answers(suite):
    kinds = set()
    for it in (it for it in items_of(suite) if it.task == "temporal"):
        frames = [pixels(it, j) for j in range(len(it.images))]
        fps, ts = it.meta["fps"], it.meta["timestamps"]
        assert 4 <= len(frames) <= 8 and ts == [f"[{j / fps:.1f} second]" for j in range(len(frames))]
        changes = [j for j in range(1, len(frames)) if not np.array_equal(frames[j], frames[j - 1])]
        assert len(changes) == 1, it.id  # exactly one event, visible in the pixels
        assert it.answer == seconds_text(changes[0] / fps)
        colour, shape, verb = re.fullmatch(r"At which second does the (\w+) (\w+) (appear|disappear|move)\?",
                                           it.prompt).groups()
        kinds.add(verb)
        k = changes[0]
        before, after = colour_mask(frames[k - 1], colour).sum(), colour_mask(frames[k], colour).sum()
        assert {"appear": after > before, "disappear": after < before, "move": after == before}[verb]
    assert kinds == {"appear", "disappear", "move"}


def test_difficulty_knobs(tmp_path):
    d = Difficulty(min_shapes=6, max_shapes=8, colours=("red", "blue"), shapes=("circle", "star"))
    items = load_items(generate_suite(tmp_path / "hard", tasks=["count", "chat"], n_train=30, n_heldout=0,
                                      difficulty=d)["train"], tmp_path / "hard")
    counts = [len(it.meta["shapes"]) for it in items]
    assert min(counts) >= 6 and max(counts) <= 8 and len(set(counts)) > 1
    assert all(s["colour"] in ("red", "blue") and s["shape"] in ("circle", "star") for it in items for s in it.meta["shapes"])
    easy = load_items(generate_suite(tmp_path / "easy", tasks=["count"], n_train=30, n_heldout=0,
                                     difficulty={"min_shapes": 1, "max_shapes": 2})["train"], tmp_path / "easy")
    assert {len(it.meta["shapes"]) for it in easy} == {1, 2}
    # distractors: shapes sharing exactly one attribute with the asked-about one
    dd = Difficulty(min_shapes=4, max_shapes=4, distractors=3)
    for it in load_items(generate_suite(tmp_path / "dis", tasks=["grounding"], n_train=20, n_heldout=0,
                                        difficulty=dd)["train"], tmp_path / "dis"):
        q = it.meta["query"]
        near = [s for s in it.meta["shapes"] if (s["colour"] == q["colour"]) != (s["shape"] == q["shape"])]
        assert len(near) == 3
    fr = Difficulty(min_frames=2, max_frames=3, fps=2.0, math_kinds=("fraction",), math_max=4)
    recs = read_jsonl(generate_suite(tmp_path / "fr", tasks=["temporal", "math"], n_train=15, n_heldout=0,
                                     difficulty=fr)["train"])
    assert all(2 <= len(r["images"]) <= 3 for r in recs if r["task"] == "temporal")
    assert all(r["math_kind"] == "fraction" for r in recs if r["task"] == "math")
    with pytest.raises(ValueError):
        Difficulty(min_shapes=3, max_shapes=2)
    with pytest.raises(ValueError):
        Difficulty(colours=("pink",))


def test_image_size_non_square(tmp_path):
    p = generate_suite(tmp_path, tasks=["grounding", "math"], n_train=5, n_heldout=1, image_size=(160, 96))
    for it in load_items(p["train"], tmp_path):
        assert Image.open(it.image_paths[0]).size == (160, 96) and it.meta["image_size"] == [160, 96]


def test_cache_noop_and_regenerate(tmp_path, monkeypatch):
    p = generate_suite(tmp_path, tasks=["count", "temporal"], n_train=5, n_heldout=2, seed=1)
    before = {f: f.stat().st_mtime_ns for f in tmp_path.rglob("*") if f.is_file()}

    def boom(*a, **k):
        raise AssertionError("regenerated although the arguments are the same")

    monkeypatch.setattr(tasks.suite, "make_item", boom)
    assert generate_suite(tmp_path, tasks=["count", "temporal"], n_train=5, n_heldout=2, seed=1) == p
    assert {f: f.stat().st_mtime_ns for f in tmp_path.rglob("*") if f.is_file()} == before
    monkeypatch.undo()
    generate_suite(tmp_path, tasks=["count"], n_train=3, n_heldout=1, seed=1)  # other args: regenerate
    assert len(read_jsonl(tmp_path / "train.jsonl")) == 3
    assert not list((tmp_path / "images").rglob("temporal-*.png"))  # stale images removed
    assert json.loads((tmp_path / "manifest.json").read_text())["args"]["tasks"] == ["count"]


def test_write_jsonl_atomic_roundtrip(tmp_path):
    recs = [{"a": 1, "t": "é"}, {"b": [1, 2]}]
    path = write_jsonl(tmp_path / "x" / "r.jsonl", recs)
    assert read_jsonl(path) == recs and [f.name for f in path.parent.iterdir()] == ["r.jsonl"]


GOOD = {"id": "m1", "task": "math", "prompt": "Solve.", "images": ["a.png"], "answer": "5"}


@pytest.mark.parametrize("line2, message", [
    ('{"id": "m2", "task": ', "malformed JSON"),
    ('[1, 2]', "must be a JSON object"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "prompt"} | {"id": "m2"}), "field 'prompt' is missing"),
    (json.dumps(GOOD | {"id": "m2", "answer": [5]}), "field 'answer' must be a string for task 'math', got list"),
    (json.dumps(GOOD | {"id": "m2", "images": "a.png"}), "field 'images' must be a non-empty list of strings, got string"),
    (json.dumps(GOOD | {"id": "m2", "task": "juggling"}), "field 'task' names an unknown task 'juggling'"),
    (json.dumps(GOOD | {"id": "m2", "images": ["nope.png"]}), "field 'images'[0]: image file 'nope.png' not found"),
    (json.dumps(GOOD), "field 'id' 'm1' repeats the id on line 1"),
    (json.dumps(GOOD | {"id": "m2", "task": "count", "answer": 3}), "field 'answer' must be a string for task 'count', got integer"),
    (json.dumps(GOOD | {"id": "m2", "task": "chat", "answer": "x"}), "field 'answer' must be null for task 'chat'"),
    (json.dumps(GOOD | {"id": "m2", "task": "grounding", "answer": [0, 5, 9, 9], "image_size": [112, 112]}),
     "field 'answer' must be [x1,y1,x2,y2] in [1,1000]"),
    (json.dumps(GOOD | {"id": "m2", "task": "grounding", "answer": [1, 5, 9, 9]}), "field 'image_size' must be"),
    (json.dumps(GOOD | {"id": "m2", "task": "choice", "answer": "E", "choices": ["a", "b", "c", "d"]}),
     "field 'answer' must be one of the letters A..D"),
    (json.dumps(GOOD | {"id": "m2", "task": "temporal", "fps": 1, "timestamps": []}), "field 'timestamps' has 0 entries"),
])
def test_validation_errors_name_file_line_field(tmp_path, line2, message):
    (tmp_path / "a.png").write_bytes(b"")
    path = tmp_path / "train.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n" + line2 + "\n")  # the bad record is on line 3
    with pytest.raises(TaskDataError) as e:
        load_items(path, tmp_path)
    assert "train.jsonl:3: " in str(e.value) and message in str(e.value), str(e.value)


def test_load_items_accepts_minimal_record(tmp_path):
    (tmp_path / "a.png").write_bytes(b"")
    write_jsonl(tmp_path / "t.jsonl", [GOOD])
    [it] = load_items(tmp_path / "t.jsonl")
    assert it.answer_text == "5" and it.cot is None and it.image_paths == [tmp_path / "a.png"]
    assert it.to_record() == GOOD
