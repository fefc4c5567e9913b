"""Train the scalar reward model (model/value.py's ScalarModel) with the Bradley-Terry loss.

    loss = -log sigmoid(r(prompt, chosen) - r(prompt, rejected))

A small plain-torch loop: shuffled pairs, micro-batches with gradient accumulation, AdamW, linear
warm-up then a constant or cosine LR, gradient clipping, an optional wall-clock budget. With the
backbone frozen, the backbone's features of every pair are computed once and the heads train on
them (a step then costs milliseconds, so the heads can train for many epochs). TRL's RewardTrainer is
not used: it tokenises text-only (chosen/rejected strings through a tokenizer, no images, no
`pixel_values`/`image_grid_thw`/`mm_token_type_ids` in its collator) and expects a
`AutoModelForSequenceClassification`, which Qwen2-VL checkpoints do not provide; our VL inputs and
scalar head would need both replaced, which leaves little of it.

A pair is a dict with the sample's `prompt` and `images` (model/prompts.py builds the same prompt
the policy saw) and the `chosen` / `rejected` solution texts (rewards/preferences.py).
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

from model.load import mixed_precision, param_groups, set_lr, training_attention, warmup_cosine
from model.shared_images import share_repeated_images
from sft.data import IGNORE, Example, collate, make_example
from sft.trainer import on_train_device, to_device


@dataclass
class RMSettings:
    steps: int = 200
    batch_size: int = 16          # pairs per optimiser step
    micro_batch_size: int = 8     # pairs per forward/backward
    lr: float = 3e-4
    warmup_steps: int = 10
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    max_seconds: float | None = None
    seed: int = 0
    log_every: int = 10
    autocast: str | None = None   # "bf16": model.load.mixed_precision around the forward passes
    vision_lr_mult: float = 1.0   # vision tower + adapter at lr x this (model.load.param_groups)
    head_lr_mult: float = 1.0     # the scalar head (and a match head) at lr x this
    freeze_backbone: bool = False  # train the head(s) only, on backbone features computed once per pair
    schedule: str = "constant"    # after warm-up: "constant", or "cosine" (down to 0 at `steps`)


def rm_example(processor, sample: dict, response: str) -> Example:
    """One (prompt + images, response) sequence for the RM: the chat prompt, the response and
    `<|im_end|>`; `labels` mark the response's tokens (the prompt is -100)."""
    return make_example(processor, sample, response)


def rm_batch(processor, samples: list[dict], responses: list[str]) -> dict:
    """The model inputs of (sample, response) sequences, right-padded, with `response_mask`."""
    batch = collate([rm_example(processor, s, r) for s, r in zip(samples, responses)],
                    processor.tokenizer.pad_token_id)
    batch["response_mask"] = batch.pop("labels") != IGNORE
    return batch


def both_sides(processor, pairs: list[dict]) -> dict:
    """One batch of every pair's chosen sequence, then every pair's rejected one."""
    return rm_batch(processor, pairs + pairs, [p["chosen"] for p in pairs] + [p["rejected"] for p in pairs])


def score_batch(model, processor, samples: list[dict], responses: list[str]) -> torch.Tensor:
    """RM scores [B] of (sample, response) pairs in one forward pass."""
    return model.score(**to_device(rm_batch(processor, samples, responses), next(model.parameters()).device))


def pair_rewards(model, processor, pairs: list[dict]) -> tuple[torch.Tensor, torch.Tensor]:
    """(r_chosen [B], r_rejected [B]): both sides of the pairs in one forward pass."""
    scores = model.score(**to_device(both_sides(processor, pairs), next(model.parameters()).device))
    return scores[: len(pairs)], scores[len(pairs):]


def bradley_terry_loss(r_chosen: torch.Tensor, r_rejected: torch.Tensor) -> torch.Tensor:
    return -F.logsigmoid(r_chosen - r_rejected).mean()


def wins(r_chosen: torch.Tensor, r_rejected: torch.Tensor) -> float:
    """Pairs the RM orders right; a tie counts half."""
    return float(((r_chosen > r_rejected).float() + 0.5 * (r_chosen == r_rejected).float()).sum())


def clip_and_step(model, opt, settings: RMSettings) -> float:
    """Clip the trainable parameters' gradients to `grad_clip`, take the optimiser step; the norm."""
    params = [p for p in model.parameters() if p.requires_grad]
    grad_norm = float(torch.nn.utils.clip_grad_norm_(params, settings.grad_clip))
    opt.step()
    return grad_norm


def lr_at(step: int, s: RMSettings) -> float:
    """Linear warm-up over `warmup_steps`, then constant, or a cosine from lr at the warm-up's end
    to 0 at `steps`."""
    if s.schedule == "cosine":
        return warmup_cosine(step, s.lr, s.warmup_steps, s.steps)
    return s.lr * (step + 1) / s.warmup_steps if step < s.warmup_steps else s.lr


def batches(pairs: list, size: int, rng: random.Random):
    """Endless shuffled batches, each pair once per epoch."""
    while True:
        order = list(range(len(pairs)))
        rng.shuffle(order)
        for i in range(0, len(order), size):
            yield [pairs[j] for j in order[i: i + size]]


def side_features(model, processor, pairs: list[dict], settings: RMSettings) -> list[tuple[dict, dict]]:
    """Per pair, (chosen, rejected) features of the frozen backbone (ScalarModel.features): each
    side's tensors trimmed to its length, kept in bf16 (~80 KB a sequence for `tiny:small`). Each
    distinct sequence is computed once (an item's pairs often share their chosen description), in
    image order, so that a micro-batch holds an item's sequences and its vision tower runs once per
    image (model/shared_images.py)."""
    device = next(model.parameters()).device
    index, seqs = sequence_index(pairs)
    order = sorted(range(len(seqs)), key=lambda i: (json.dumps(seqs[i][0].get("images"), default=str), i))
    rows: list[dict | None] = [None] * len(seqs)
    step = 2 * settings.micro_batch_size
    with torch.no_grad():
        for i in range(0, len(order), step):
            part = order[i: i + step]
            batch = to_device(rm_batch(processor, [seqs[j][0] for j in part], [seqs[j][1] for j in part]), device)
            response_mask = batch.pop("response_mask")
            with mixed_precision(settings.autocast, device):
                feats = model.features(**batch)
            for row, j in enumerate(part):
                n = int(batch["attention_mask"][row].sum())
                rows[j] = {**{k: v[row, :n].to(torch.bfloat16) if v.is_floating_point() else v[row, :n]
                              for k, v in feats.items()}, "response_mask": response_mask[row, :n]}
    return [(rows[c], rows[r]) for c, r in index]


def sequence_index(pairs: list[dict]) -> tuple[list[tuple[int, int]], list[tuple[dict, str]]]:
    """(per pair, the indices of its chosen and rejected sequences; the distinct (sample, response)
    sequences). Two sides are the same sequence when the sample's fields (all but its id, chosen,
    rejected and meta) and the response are equal."""
    seen: dict[tuple[str, str], int] = {}
    seqs: list[tuple[dict, str]] = []
    index = []
    for p in pairs:
        sample = json.dumps({k: v for k, v in p.items() if k not in ("id", "chosen", "rejected", "meta")},
                            sort_keys=True, default=str)
        sides = []
        for response in (p["chosen"], p["rejected"]):
            key = (sample, response)
            if key not in seen:
                seen[key] = len(seqs)
                seqs.append((p, response))
            sides.append(seen[key])
        index.append((sides[0], sides[1]))
    return index, seqs


def pad_features(rows: list[dict]) -> tuple[dict, torch.Tensor, torch.Tensor]:
    """(features, attention_mask, response_mask), right-padded, floats as float32."""
    width = max(len(r["response_mask"]) for r in rows)
    feats = {}
    for key in rows[0]:
        first = rows[0][key]
        padded = first.new_zeros((len(rows), width, *first.shape[1:]),
                                 dtype=torch.float32 if first.is_floating_point() else first.dtype)
        for i, r in enumerate(rows):
            padded[i, : len(r[key])] = r[key]
        feats[key] = padded
    attention_mask = torch.zeros(len(rows), width, dtype=torch.long, device=first.device)
    for i, r in enumerate(rows):
        attention_mask[i, : len(r["response_mask"])] = 1
    return feats, attention_mask, feats.pop("response_mask")


def cached_step(model, rows: list[tuple[dict, dict]], opt, settings: RMSettings) -> dict:
    """One optimiser step of the heads on cached features (`rows`: the batch's (chosen, rejected))."""
    opt.zero_grad(set_to_none=True)
    feats, attention_mask, response_mask = pad_features([c for c, _ in rows] + [r for _, r in rows])
    scores = model.sequence_scores(feats, attention_mask, response_mask).float()
    rc, rr = scores[: len(rows)], scores[len(rows):]
    loss = bradley_terry_loss(rc, rr)
    if not torch.isfinite(loss):
        raise FloatingPointError(f"reward-model loss is {loss.item()}")
    loss.backward()
    grad_norm = clip_and_step(model, opt, settings)
    return {"loss": float(loss.detach()), "accuracy": wins(rc, rr) / len(rows), "grad_norm": grad_norm}


def train_step(model, processor, batch: list[dict], opt, settings: RMSettings) -> dict:
    opt.zero_grad(set_to_none=True)
    loss_sum, correct = 0.0, 0.0
    for i in range(0, len(batch), settings.micro_batch_size):
        part = batch[i: i + settings.micro_batch_size]
        with mixed_precision(settings.autocast, next(model.parameters()).device):
            rc, rr = pair_rewards(model, processor, part)
        rc, rr = rc.float(), rr.float()
        loss = bradley_terry_loss(rc, rr)
        if not torch.isfinite(loss):
            raise FloatingPointError(f"reward-model loss is {loss.item()}")
        (loss * len(part) / len(batch)).backward()
        loss_sum += float(loss.detach()) * len(part)
        correct += wins(rc, rr)
    grad_norm = clip_and_step(model, opt, settings)
    return {"loss": loss_sum / len(batch), "accuracy": correct / len(batch), "grad_norm": grad_norm}


def train_rm(model, processor, pairs: list[dict], settings: RMSettings,
             log: Callable[[dict], None] | None = None) -> dict:
    """Train `model` (a ScalarModel) in place on preference pairs; returns a summary. On the GPU
    when torch sees one (the model moves back to where it was afterwards)."""
    if not pairs:
        raise ValueError("reward-model training needs at least one preference pair")
    with on_train_device(model):
        return _train(model, processor, pairs, settings, log)


def rm_param_groups(model, s: RMSettings) -> list[dict]:
    """model.load.param_groups, with the head's parameters (the linear head, and the ImageMatch head
    and the tallies if any) in a group of their own at lr x head_lr_mult when that is not 1."""
    groups = param_groups(model, s.lr, s.vision_lr_mult)
    if s.head_lr_mult == 1.0:
        return groups
    heads = [model.head] + [h for h in (getattr(model, "match", None), getattr(model, "tally", None)) if h is not None]
    head = {id(p) for h in heads for p in h.parameters() if p.requires_grad}
    rest = [{**g, "params": [p for p in g["params"] if id(p) not in head]} for g in groups]
    return [g for g in rest if g["params"]] + [
        {"params": [p for p in model.parameters() if id(p) in head], "lr": s.lr * s.head_lr_mult,
         "lr_mult": s.head_lr_mult}]


def _train(model, processor, pairs: list[dict], settings: RMSettings, log) -> dict:
    if settings.schedule not in ("constant", "cosine"):
        raise ValueError(f"schedule must be 'constant' or 'cosine', got {settings.schedule!r}")
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    start = time.time()
    if settings.freeze_backbone:
        model.backbone.requires_grad_(False)
    share_repeated_images(model.backbone)   # a pair's two sides share their image
    training_attention(model.backbone, next(model.parameters()).device, settings.autocast)
    cached = side_features(model, processor, pairs, settings) if settings.freeze_backbone else None
    feature_seconds = time.time() - start
    opt = torch.optim.AdamW(rm_param_groups(model, settings), weight_decay=settings.weight_decay)
    model.train()
    stream = batches(cached or pairs, min(settings.batch_size, len(pairs)), rng)
    losses: list[float] = []
    seen = 0
    for step in range(settings.steps):
        if settings.max_seconds and time.time() - start > settings.max_seconds:
            break
        set_lr(opt, lr_at(step, settings))
        batch = next(stream)
        if cached is not None:
            row = cached_step(model, batch, opt, settings)
        else:
            row = train_step(model, processor, batch, opt, settings)
        losses.append(row["loss"])
        seen += len(batch)
        if log and (step % settings.log_every == 0 or step == settings.steps - 1):
            log({"step": step, "lr": lr_at(step, settings), "seconds": round(time.time() - start, 2), **row})
    model.eval()
    seconds = time.time() - start
    return {"steps": len(losses), "seconds": round(seconds, 2), "first_loss": losses[0] if losses else None,
            "final_loss": sum(losses[-10:]) / len(losses[-10:]) if losses else None,
            "pairs": seen, "pairs_per_s": round(seen / max(seconds, 1e-9), 2),
            "feature_seconds": round(feature_seconds, 2) if cached is not None else None}


@torch.no_grad()
def pairwise_accuracy(model, processor, pairs: list[dict], batch_size: int = 16) -> float:
    """Share of pairs where r(chosen) > r(rejected); a tie counts half."""
    model.eval()
    right = 0.0
    for i in range(0, len(pairs), batch_size):
        right += wins(*pair_rewards(model, processor, pairs[i: i + batch_size]))
    return right / len(pairs) if pairs else float("nan")
