"""Vision pre-training on dense labels (sft/vision.py) and the one-word VQA data (tasks/vqa.py)."""
import random

import pytest
import torch

from model.load import adapter_params, copy_vision, load_vlm, param_groups, vision_tower_params
from sft.vision import VisionSettings, cell_shares, label_map, pretrain_vision, targets
from tasks import load_suite
from tasks.shapes import COLOURS, SHAPES, render
from tasks.vqa import KINDS, ask, question, sample, thought, vqa_pairs


def test_cell_shares_by_hand():
    labels = torch.zeros(56, 56, dtype=torch.long)
    labels[:28, 28:] = 2            # the whole top-right cell is class 2
    labels[28:42, :28] = 1          # the top half of the bottom-left cell is class 1
    shares = cell_shares(labels, 3)
    assert shares.shape == (4, 3)   # raster order: TL, TR, BL, BR
    assert shares[0].tolist() == [1.0, 0.0, 0.0]
    assert shares[1].tolist() == [0.0, 0.0, 1.0]
    assert shares[2].tolist() == [0.5, 0.5, 0.0]
    assert shares[3].tolist() == [1.0, 0.0, 0.0]


def test_targets_of_a_square_filling_one_cell():
    square = {"shape": "square", "colour": "blue", "box_px": [28, 0, 56, 28]}
    colour, kind = targets([square], 56, 56)
    blue, sq = 1 + list(COLOURS).index("blue"), 1 + SHAPES.index("square")
    assert colour[1, blue] == 1.0 and colour[1, 0] == 0.0 and kind[1, sq] == 1.0
    assert colour[[0, 2, 3], 0].tolist() == [1.0, 1.0, 1.0]
    # the label map is the rendered image's own pixels: every blue pixel is labelled blue
    pixels = torch.tensor(list(render({"shapes": [square]}, 56, 56).getdata())).view(56, 56, 3)
    is_blue = (pixels == torch.tensor(COLOURS["blue"])).all(-1)
    assert torch.equal(is_blue, label_map([square], 56, 56, "colour", COLOURS) == blue)


def test_centre_targets_by_hand():
    """target="centre": the cell holding a shape's box centre gets its colour and kind, whatever
    else the shape covers; two centres in one cell share it; every other cell is background."""
    shapes = [{"shape": "star", "colour": "red", "box_px": [20, 20, 50, 50]},       # centre (35, 35): cell 5
              {"shape": "circle", "colour": "blue", "box_px": [0, 0, 12, 12]},      # centre (6, 6): cell 0
              {"shape": "square", "colour": "red", "box_px": [14, 14, 26, 26]}]     # centre (20, 20): cell 0
    colour, kind = targets(shapes, 112, 112, target="centre")
    red, blue = 1 + list(COLOURS).index("red"), 1 + list(COLOURS).index("blue")
    star, circle, square = (1 + SHAPES.index(k) for k in ("star", "circle", "square"))
    assert colour.shape == (16, 1 + len(COLOURS)) and kind.shape == (16, 1 + len(SHAPES))
    assert colour[5, red] == 1.0 and kind[5, star] == 1.0
    assert colour[0, red] == colour[0, blue] == 0.5 and kind[0, circle] == kind[0, square] == 0.5
    assert colour[[1, 4, 6]].argmax(1).tolist() == [0, 0, 0]   # covered by the star, but not its centre
    others = [i for i in range(16) if i not in (0, 5)]
    assert colour[others, 0].tolist() == [1.0] * 14 and kind[others, 0].tolist() == [1.0] * 14
    edge = targets([{"shape": "star", "colour": "red", "box_px": [100, 100, 112, 112]}], 112, 112, "centre")[0]
    assert edge[15, red] == 1.0                                  # a centre on the last pixel row stays in the grid


def test_token_order_is_raster_order(tiny_model_dir):
    """Merged image token k of the processor covers cell (k // cols, k % cols) of the image."""
    _, processor = load_vlm(tiny_model_dir)
    shapes = [{"shape": "square", "colour": "red", "box_px": [56, 28, 84, 56]}]   # cell (row 1, col 2)
    enc = processor.image_processor(images=[render({"shapes": shapes}, 112, 112)], return_tensors="pt")
    per_token = enc["pixel_values"].view(16, 4, -1).mean((1, 2))    # 4 patches per merged token
    assert int(per_token.argmin()) == 1 * 4 + 2   # red is darker than white in every normalised channel


def test_pretrain_vision_trains_only_the_vision_side(tiny_model_dir):
    model, processor = load_vlm(tiny_model_dir)
    vision = {id(p) for p in vision_tower_params(model) + adapter_params(model)}
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    out = pretrain_vision(model, processor, VisionSettings(steps=30, batch_size=8, lr=3e-3, eval_images=16))
    moved = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    names = {n for n, p in model.named_parameters() if id(p) in vision}
    assert moved and moved <= names
    assert out["heldout_after"]["loss"] < out["heldout_before"]["loss"]
    assert all(p.requires_grad for p in model.parameters())   # restored after training


def test_copy_vision_copies_the_vision_side_only(tiny_model_dir):
    dst, _ = load_vlm(tiny_model_dir)
    src, _ = load_vlm(tiny_model_dir)
    with torch.no_grad():
        for p in src.parameters():
            p.add_(1.0)                           # every weight of the source differs from dst's
    before = {n: p.detach().clone() for n, p in dst.named_parameters()}
    vision = {id(p) for p in vision_tower_params(dst) + adapter_params(dst)}
    assert copy_vision(dst, src) == len(vision)
    want = dict(src.named_parameters())
    for n, p in dst.named_parameters():
        assert torch.equal(p, want[n] if id(p) in vision else before[n]), n
    text_only = torch.nn.Module()
    with pytest.raises(ValueError, match="no vision tower"):
        copy_vision(text_only, src)


def test_param_groups_scale_the_vision_side(tiny_model_dir):
    model, _ = load_vlm(tiny_model_dir)
    groups = param_groups(model, 1e-3, 0.1)
    assert [g["lr_mult"] for g in groups] == [1.0, 0.1] and groups[1]["lr"] == 1e-3 * 0.1
    vision = {id(p) for p in vision_tower_params(model) + adapter_params(model)}
    assert {id(p) for p in groups[1]["params"]} == vision
    assert len(param_groups(model, 1e-3)) == 1


def test_vqa_questions_by_hand():
    meta = {"image_size": [112, 112], "shapes": [
        {"shape": "circle", "colour": "red", "box_px": [2, 2, 20, 20]},
        {"shape": "star", "colour": "red", "box_px": [80, 80, 100, 100]},
        {"shape": "square", "colour": "blue", "box_px": [40, 40, 60, 60]}]}
    rng = random.Random(0)
    assert question(meta, "n", rng) == ("How many shapes are there?", "3")
    for _ in range(20):
        q, a = question(meta, "ncol", rng)
        colour = q.split()[2]
        assert a == str({"red": 2, "blue": 1}.get(colour, 0))
        got = question(meta, "colour_of", rng)
        if got:
            assert got == {"circle": ("What colour is the circle?", "red"), "star": ("What colour is the star?", "red"),
                           "square": ("What colour is the square?", "blue")}[got[0].split()[-1][:-1]]
        got = question(meta, "shape_of", rng)
        assert got in (None, ("What shape is the blue object?", "square"))   # red is ambiguous
        got = question(meta, "where", rng)
        assert got in (("Where is the red circle?", "top left"), ("Where is the red star?", "bottom right"),
                       ("Where is the blue square?", "centre"))
        got = question(meta, "exists", rng)
        if got is None:   # the "no" draw named a shape that is there: no question
            continue
        q, a = got
        words = q[:-1].split()
        present = any(s["colour"] == words[-2] and s["shape"] == words[-1] for s in meta["shapes"])
        assert a == ("yes" if present else "no")
    assert all(sample(meta, KINDS, rng)[0] in KINDS for _ in range(20))


def test_vqa_pairs_are_fresh_images_with_one_word_answers(tmp_path):
    pairs = vqa_pairs(tmp_path / "vqa", 6, seed=0)
    assert len(pairs) == 6
    for record, answer in pairs:
        assert record["task"] == "vqa" and record["images"] and " " not in answer.replace("top ", "")\
            .replace("middle ", "").replace("bottom ", "")
        assert "<think>" not in record["prompt"]
    assert vqa_pairs(tmp_path / "vqa", 6, seed=0) == pairs   # cached and deterministic


def test_vqa_pairs_with_several_questions_per_image(tmp_path):
    """per_image=4: the same images as per_image=1, each with up to 3 different follow-up
    questions after the first, answered from the scene."""
    single = vqa_pairs(tmp_path / "vqa", 6, seed=0)
    multi = vqa_pairs(tmp_path / "vqa", 6, seed=0, per_image=4)
    for (one, a1), (record, answer) in zip(single, multi):
        assert record["images"] == one["images"]
        asked = [record["prompt"]] + [q for q, _ in record["turns"]]
        assert 1 <= len(record["turns"]) <= 3 and len(set(asked)) == len(asked)
    assert multi[0][0]["prompt"] == single[0][0]["prompt"] and multi[0][1] == single[0][1]
    for (record, answer), item in zip(multi, load_suite(tmp_path / "vqa", "train")):
        for q, a in [(record["prompt"], answer)] + record["turns"]:
            if q == "How many shapes are there?":
                assert a == str(len(item.meta["shapes"]))
    with pytest.raises(ValueError, match="per_image"):
        vqa_pairs(tmp_path / "vqa", 6, seed=0, per_image=0)
    one_shape = {"shapes": [{"colour": "red", "shape": "circle", "x": 10, "y": 10, "w": 20, "h": 20}],
                 "image_size": [112, 112]}
    asked = ask(one_shape, ["n"], random.Random(0), 5)   # one distinct question only
    assert asked == [("n", "How many shapes are there?", "1")]


def test_vqa_thoughts_by_hand():
    cases = [("n", "How many shapes are there?", "3", "There are 3 shapes."),
             ("n", "How many shapes are there?", "1", "There is 1 shape."),
             ("ncol", "How many green shapes are there?", "0", "There are 0 green shapes."),
             ("ncol", "How many red shapes are there?", "1", "There is 1 red shape."),
             ("nshape", "How many squares are there?", "2", "There are 2 squares."),
             ("nshape", "How many stars are there?", "1", "There is 1 star."),
             ("colour_of", "What colour is the circle?", "red", "The circle is red."),
             ("shape_of", "What shape is the orange object?", "triangle", "The orange object is a triangle."),
             ("where", "Where is the red star?", "top left", "The red star is at the top left."),
             ("where", "Where is the blue circle?", "centre", "The blue circle is at the centre."),
             ("exists", "Is there a red circle?", "yes", "There is a red circle."),
             ("exists", "Is there an orange star?", "no", "There is no orange star.")]
    for kind, q, a, want in cases:
        assert thought(kind, q, a) == want
    with pytest.raises(ValueError, match="kind"):
        thought("size", "How big is it?", "big")


def test_vqa_pairs_in_the_think_format(tmp_path):
    """think=True: the same questions and images, each answer after a thought that states it, in
    the format the system line asks for (the strict gate passes it)."""
    from rewards.format import check_format

    plain = vqa_pairs(tmp_path / "vqa", 6, seed=0, per_image=3)
    think = vqa_pairs(tmp_path / "vqa", 6, seed=0, per_image=3, think=True)
    for (r0, a0), (r1, a1) in zip(plain, think):
        assert r1["prompt"] == r0["prompt"] and r1["images"] == r0["images"]
        for (q, bare), (q1, full) in zip([(r0["prompt"], a0)] + r0["turns"], [(r1["prompt"], a1)] + r1["turns"]):
            gate = check_format(full, True)
            assert q1 == q and gate.ok and gate.solution == bare
            assert bare in gate.thought or bare in ("yes", "no")


def test_sft_vision_lr_mult_slows_only_the_vision_side(tiny_model_dir, tmp_path):
    from sft.trainer import SFTSettings, train_sft
    from tasks import generate_suite, load_suite

    generate_suite(tmp_path / "data", tasks=["count"], n_train=4, n_heldout=1, seed=0)
    pairs = [(it, it.target) for it in load_suite(tmp_path / "data", "train")]
    moves = {}
    for mult in (1.0, 0.01):
        model, processor = load_vlm(tiny_model_dir)
        vision = {id(p) for p in vision_tower_params(model) + adapter_params(model)}
        before = {n: p.detach().clone() for n, p in model.named_parameters()}
        train_sft(model, processor, pairs, SFTSettings(steps=3, batch_size=2, lr=1e-3, warmup_steps=0,
                                                       vision_lr_mult=mult))
        delta = lambda keep: max(float((p.detach() - before[n]).abs().max())   # noqa: E731
                                 for n, p in model.named_parameters() if (id(p) in vision) == keep)
        moves[mult] = (delta(True), delta(False))
    assert moves[0.01][0] < 0.05 * moves[1.0][0]            # Adam moves ~lr per step: 100x smaller
    assert moves[0.01][1] > 0.5 * moves[1.0][1]             # the language model as before


def test_align_loss_by_hand():
    """Covered tokens are pulled towards their colour + shape words' embeddings (cosine); tokens
    that are mostly background are left out."""
    from sft.vision import align_loss
    words = torch.eye(len(COLOURS) + len(SHAPES), 16)            # one direction per word
    red, circle = list(COLOURS).index("red"), len(COLOURS) + SHAPES.index("circle")
    colour = torch.zeros(3, 1 + len(COLOURS))
    shape = torch.zeros(3, 1 + len(SHAPES))
    colour[0, 1 + red] = shape[0, 1 + SHAPES.index("circle")] = 1.0   # token 0: all red circle
    colour[1, 1 + red] = shape[1, 1 + SHAPES.index("circle")] = 0.5   # token 1: half red circle
    colour[1, 0] = shape[1, 0] = 0.5
    colour[2, 0] = shape[2, 0] = 1.0                                 # token 2: background only
    batch = {"colour": colour, "shape": shape}
    exact = (words[red] + words[circle]).repeat(3, 1)
    exact[2] = torch.randn(16)                                       # ignored
    assert align_loss(exact, batch, words).item() < 1e-6
    only_red = words[red].repeat(3, 1)                               # cosine 1/sqrt(2) with red + circle
    assert abs(align_loss(only_red, batch, words).item() - (1 - 2 ** -0.5)) < 1e-6
    assert align_loss(only_red, {"colour": colour[2:], "shape": shape[2:]}, words).item() == 0


def test_vision_probe_bench_scores_each_checkpoint(tiny_model_dir):
    """benchmarks/vision_probe.py: one row per model, accuracies of a probe that learnt something
    (the colour of a cell is linearly readable from a random tower's tokens well above chance)."""
    from benchmarks.vision_probe import main

    rows = main([str(tiny_model_dir), "--train-images", "64", "--heldout-images", "32", "--steps", "200",
                 "--threads", "1"])
    assert len(rows) == 1 and rows[0]["tokens"] > 0
    assert rows[0]["cell_colour_accuracy"] > 1 / 6 and 0 <= rows[0]["cell_shape_accuracy"] <= 1
