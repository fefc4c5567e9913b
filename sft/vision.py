"""Vision pre-training: teach the vision tower + adapter to see shapes, from dense per-token labels.

The report's policy starts from a VLM whose vision encoder was pre-trained on billions of images.
Our tiny model starts from random weights, and trained end to end on question/answer text it never
learns to look: within ~100 steps AdamW turns the image tokens into a constant soft prompt
(docs/PERFORMANCE.md, "Why the model does not look"). This stage gives the vision side a
pre-training of its own, the way a ViT is pre-trained before it joins a VLM: fresh shapes-world
scenes, and for every image token (Qwen2-VL: one token per 28x28 pixel cell after the 2x2 merge)
the share of its pixels of each colour and of each shape kind (background included). A linear head
on the adapter's output is trained with soft cross-entropy against those shares (foreground cells
weighted x5); the head is thrown away and the language model is not touched. With `word_align` > 0
each covered token is also pulled (cosine) towards the LLM's input embeddings of its colour and
shape words, weighted by their shares: image tokens that point where the words do (off by default;
docs/PERFORMANCE.md has what it did).

Shapes are drawn without anti-aliasing, so a label map drawn with the same code is exact.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

from model.load import mixed_precision
from tasks.shapes import COLOURS, SHAPES, draw_shape, make_shapes, place_boxes, render

CELL = 28   # pixels per image token side (14-pixel patches, 2x2 merge)
FOREGROUND_WEIGHT = 5.0


@dataclass
class VisionSettings:
    steps: int = 600
    batch_size: int = 32
    lr: float = 1e-3
    grad_clip: float = 1.0
    seed: int = 0
    image_size: int = 112
    min_shapes: int = 1
    max_shapes: int = 5
    min_size: float = 0.14
    max_size: float = 0.28
    eval_images: int = 64
    log_every: int = 25
    autocast: str | None = None
    word_align: float = 0.0   # weight of the pull of each token towards its colour + shape words' embeddings
    target: str = "shares"    # "shares": pixel shares per cell; "centre": the shape whose centre the cell holds


def scene(rng: random.Random, s: VisionSettings) -> list[dict]:
    n = rng.randint(s.min_shapes, s.max_shapes)
    boxes = place_boxes(rng, n, s.image_size, s.image_size, s.min_size, s.max_size)
    return make_shapes([(rng.choice(list(COLOURS)), rng.choice(SHAPES)) for _ in boxes], boxes)


def label_map(shapes: list[dict], width: int, height: int, key: str, names) -> torch.Tensor:
    """[height, width] class ids: 0 background, 1 + names.index(shape[key]) where a shape is drawn."""
    img = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(img)
    for shape in shapes:
        draw_shape(draw, shape, fill=1 + list(names).index(shape[key]))
    return torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).view(height, width).long()


def cell_shares(labels: torch.Tensor, n_classes: int, cell: int = CELL) -> torch.Tensor:
    """[cells, n_classes]: each cell's share of pixels per class, cells in raster order (the order
    of Qwen2-VL's merged image tokens)."""
    h, w = labels.shape
    if h % cell or w % cell:
        raise ValueError(f"label map {w}x{h} is not a multiple of the {cell}-pixel token cell")
    onehot = F.one_hot(labels, n_classes).float()
    return onehot.view(h // cell, cell, w // cell, cell, n_classes).mean((1, 3)).reshape(-1, n_classes)


def centre_targets(shapes: list[dict], width: int, height: int, cell: int = CELL) -> tuple[torch.Tensor, torch.Tensor]:
    """Object-centric labels, as a CenterNet-style detector is trained: the cell that holds a shape's
    box centre gets that shape's colour and kind, every other cell is background (two centres in one
    cell share it). Each shape is then one token, so "a red circle" is one token to find."""
    cols = width // cell
    n = cols * (height // cell)
    colour, kind = torch.zeros(n, 1 + len(COLOURS)), torch.zeros(n, 1 + len(SHAPES))
    for sh in shapes:
        x1, y1, x2, y2 = sh["box_px"]
        i = min(int((y1 + y2) / 2) // cell, height // cell - 1) * cols + min(int((x1 + x2) / 2) // cell, cols - 1)
        colour[i, 1 + list(COLOURS).index(sh["colour"])] += 1
        kind[i, 1 + SHAPES.index(sh["shape"])] += 1
    empty = colour.sum(1) == 0
    colour[empty, 0], kind[empty, 0] = 1, 1
    return colour / colour.sum(1, keepdim=True), kind / kind.sum(1, keepdim=True)


def targets(shapes: list[dict], width: int, height: int, target: str = "shares") -> tuple[torch.Tensor, torch.Tensor]:
    """(colour shares [cells, 1 + colours], shape shares [cells, 1 + shape kinds])."""
    if target == "centre":
        return centre_targets(shapes, width, height)
    colours = cell_shares(label_map(shapes, width, height, "colour", COLOURS), 1 + len(COLOURS))
    kinds = cell_shares(label_map(shapes, width, height, "shape", SHAPES), 1 + len(SHAPES))
    return colours, kinds


def image_features(model, pixel_values, grid_thw) -> torch.Tensor:
    """The adapter's output for a batch of images: [tokens, hidden] (what the LLM receives)."""
    feats = model.model.get_image_features(pixel_values, grid_thw)
    feats = getattr(feats, "pooler_output", feats)
    return torch.cat(list(feats)) if isinstance(feats, (list, tuple)) else feats


class Batches:
    """Fresh scenes -> processor pixels and per-token targets."""

    def __init__(self, processor, settings: VisionSettings):
        self.processor, self.s = processor, settings
        if settings.image_size % CELL:
            raise ValueError(f"vision pre-training needs an image size that is a multiple of {CELL}, "
                             f"got {settings.image_size}")

    def __call__(self, rng: random.Random, n: int, device) -> dict:
        size = self.s.image_size
        scenes = [scene(rng, self.s) for _ in range(n)]
        images = [render({"shapes": sh}, size, size) for sh in scenes]
        enc = self.processor.image_processor(images=images, return_tensors="pt")
        colour, kind = zip(*(targets(sh, size, size, self.s.target) for sh in scenes))
        return {"pixel_values": enc["pixel_values"].to(device), "image_grid_thw": enc["image_grid_thw"].to(device),
                "colour": torch.cat(colour).to(device), "shape": torch.cat(kind).to(device)}


def soft_ce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return -(target * logits.log_softmax(-1)).sum(-1)


def word_targets(model, processor, device) -> torch.Tensor:
    """[colours + shape kinds, hidden]: the LLM's input embeddings of " red", ..., " circle", ...
    (a word of several tokens: their mean)."""
    emb = model.get_input_embeddings().weight.detach()
    rows = []
    for word in list(COLOURS) + list(SHAPES):
        ids = processor.tokenizer.encode(" " + word, add_special_tokens=False)
        rows.append(emb[ids].float().mean(0))
    return torch.stack(rows).to(device)


def align_loss(feats: torch.Tensor, batch: dict, words: torch.Tensor) -> torch.Tensor:
    """1 - cosine between each covered token and the share-weighted sum of its colour and shape
    words' embeddings: image tokens that point where the words do (the LLM then finds "a red
    circle" in the image by matching, as it matches repeated words)."""
    shares = torch.cat([batch["colour"][:, 1:], batch["shape"][:, 1:]], 1)
    target = shares @ words
    covered = batch["colour"][:, 0] < 0.85
    if not covered.any():
        return feats.sum() * 0
    return (1 - F.cosine_similarity(feats[covered], target[covered], dim=-1)).mean()


def head_loss(logits: torch.Tensor, colour: torch.Tensor, shape: torch.Tensor) -> torch.Tensor:
    """Soft cross-entropy of a token head's colour and shape-kind logits against the cells' shares,
    foreground cells weighted x FOREGROUND_WEIGHT."""
    n_colour = colour.shape[1]
    weight = 1 + (FOREGROUND_WEIGHT - 1) * (1 - colour[:, 0])
    return ((soft_ce(logits[:, :n_colour], colour) + soft_ce(logits[:, n_colour:], shape)) * weight).mean()


def cell_accuracy(logits: torch.Tensor, colour: torch.Tensor, shape: torch.Tensor) -> dict:
    """Colour and shape-kind accuracy of the head's argmax on cells at least 15% covered by a shape."""
    n_colour = colour.shape[1]
    fg = colour[:, 0] < 0.85
    colour_ok = logits[:, 1:n_colour].argmax(-1) == colour[:, 1:].argmax(-1)
    shape_ok = logits[:, n_colour + 1:].argmax(-1) == shape[:, 1:].argmax(-1)
    return {"cell_colour_accuracy": round(float(colour_ok[fg].float().mean()), 3) if fg.any() else None,
            "cell_shape_accuracy": round(float(shape_ok[fg].float().mean()), 3) if fg.any() else None}


def loss_and_stats(model, head, batch: dict, words: torch.Tensor | None = None,
                   word_align: float = 0.0) -> tuple[torch.Tensor, dict]:
    feats = image_features(model, batch["pixel_values"], batch["image_grid_thw"]).float()
    if feats.shape[0] != batch["colour"].shape[0]:
        raise ValueError(f"the model gives {feats.shape[0]} image tokens for {batch['colour'].shape[0]} "
                         f"{CELL}-pixel cells: vision pre-training needs a Qwen2-VL-style 2x2-merged tower")
    logits = head(feats)
    loss = head_loss(logits, batch["colour"], batch["shape"])
    align = align_loss(feats, batch, words) if words is not None else None
    if align is not None and word_align:
        loss = loss + word_align * align
    with torch.no_grad():
        stats = {"loss": round(float(loss), 4), **cell_accuracy(logits, batch["colour"], batch["shape"]),
                 "embed_norm": round(float(feats.norm(dim=-1).mean()), 3)}
        if align is not None:
            stats["word_cosine"] = round(1 - float(align), 3)
    return loss, stats


def pretrain_vision(model, processor, settings: VisionSettings, device=None,
                    log: Callable[[dict], None] | None = None) -> dict:
    """Train the model's vision tower + adapter in place; the language model is left as it is."""
    from sft.trainer import on_train_device

    with on_train_device(model) as dev:
        return _train(model, processor, settings, log, device or dev)


def _train(model, processor, s: VisionSettings, log, device) -> dict:
    from model.load import adapter_params, training_attention, vision_tower_params
    from sft.trainer import optimizer_step

    torch.manual_seed(s.seed)
    training_attention(model, device, s.autocast)
    params = vision_tower_params(model) + adapter_params(model)
    if not params:
        raise ValueError("vision pre-training: the model has no vision tower")
    was = {id(p): p.requires_grad for p in model.parameters()}
    model.requires_grad_(False)
    for p in params:
        p.requires_grad_(True)
    hidden = model.config.text_config.hidden_size
    head = torch.nn.Linear(hidden, 2 + len(COLOURS) + len(SHAPES)).to(device)
    opt = torch.optim.AdamW(params + list(head.parameters()), lr=s.lr)
    make = Batches(processor, s)
    held = make(random.Random(s.seed + 10_007), s.eval_images, device)
    words = word_targets(model, processor, device)

    def evaluate() -> dict:
        model.eval()
        with torch.no_grad(), mixed_precision(s.autocast, device):
            stats = loss_and_stats(model, head, held, words, s.word_align)[1]
        model.train()
        return stats

    rng, start = random.Random(s.seed), time.time()
    first = evaluate()
    model.train()
    try:
        for step in range(s.steps):
            batch = make(rng, s.batch_size, device)
            with mixed_precision(s.autocast, device):
                loss, stats = loss_and_stats(model, head, batch, words, s.word_align)
            optimizer_step(opt, loss, params, s.grad_clip, f"vision pre-training at step {step}:")
            if log and (step % s.log_every == 0 or step == s.steps - 1):
                log({"step": step, "loss": stats["loss"], "seconds": round(time.time() - start, 1)})
    finally:
        for p in model.parameters():
            p.requires_grad_(was[id(p)])
        model.eval()
    last = evaluate()
    return {"steps": s.steps, "seconds": round(time.time() - start, 1), "heldout_before": first,
            "heldout_after": last}
