"""Supervised fine-tuning of the full VL model (vision tower, adapter, LLM) on (item, target) pairs.

A small plain-torch loop (see docs/ARCHITECTURE.md for why not TRL's SFTTrainer here): shuffled
micro-batches, loss on the assistant tokens only (sft/data.py), AdamW, linear warm-up then cosine
decay, gradient clipping, an optional wall-clock budget. Trains on the GPU when torch sees one
(the model moves there for the run and back to where it was after it).
"""
from __future__ import annotations

import random
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

import torch

from model.load import default_device, mixed_precision, param_groups, set_lr, training_attention, warmup_cosine
from sft.data import collate, make_example


@dataclass
class SFTSettings:
    steps: int = 300
    batch_size: int = 32
    lr: float = 1e-3
    min_lr_ratio: float = 0.1      # cosine decays to lr * min_lr_ratio
    warmup_steps: int = 20
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    max_seconds: float | None = None   # stop early when the budget is spent
    seed: int = 0
    log_every: int = 10
    autocast: str | None = None        # "bf16": model.load.mixed_precision
    vision_lr_mult: float = 1.0        # vision tower + adapter at lr x this (model.load.param_groups)
    attention: str | None = "auto"     # kernel while training (model.load.training_attention)


def lr_at(step: int, s: SFTSettings) -> float:
    return warmup_cosine(step, s.lr, s.warmup_steps, s.steps, s.min_lr_ratio)


def cost(pair) -> int:
    """A cheap stand-in for a pair's sequence length (images dominate: 16+ tokens each)."""
    item, target = pair
    return 16 * len(getattr(item, "images", None) or []) + len(getattr(item, "prompt", "")) // 4 + len(target) // 3


def batches(pairs: list, batch_size: int, rng: random.Random, bucket: int = 8):
    """Endless shuffled micro-batches, each pair once per epoch. Within windows of `bucket`
    batches, pairs of similar length go together (less padding), then the batches are shuffled."""
    if not pairs:
        raise ValueError("SFT needs at least one (item, target) pair")
    costs = [cost(p) for p in pairs]
    while True:
        order = list(range(len(pairs)))
        rng.shuffle(order)
        chunks = []
        window = batch_size * bucket
        for w in range(0, len(order), window):
            part = sorted(order[w:w + window], key=costs.__getitem__)
            chunks += [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
        rng.shuffle(chunks)
        for chunk in chunks:
            yield [pairs[j] for j in chunk]


@contextmanager
def on_train_device(model):
    """The model on the training device (model.load.default_device) for the block, then back
    where it was; yields the device."""
    home, device = next(model.parameters()).device, default_device()
    model.to(device)
    try:
        yield device
    finally:
        model.to(home)


def optimizer_step(opt, loss: torch.Tensor, params: list, grad_clip: float, what: str) -> None:
    """Backward, clip and step on one loss; a non-finite loss stops training, naming `what`."""
    if not torch.isfinite(loss):
        raise FloatingPointError(f"{what} loss is {loss.item()}")
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, grad_clip)
    opt.step()


def to_device(batch: dict, device: torch.device) -> dict:
    return {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}


def train_sft(model, processor, pairs: list, settings: SFTSettings,
              log: Callable[[dict], None] | None = None) -> dict:
    """Train `model` in place on `pairs` [(item, target_text)]; returns a summary of the run."""
    with on_train_device(model) as device:
        return _train(model, processor, pairs, settings, log, device)


def _train(model, processor, pairs, settings: SFTSettings, log, device) -> dict:
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(param_groups(model, settings.lr, settings.vision_lr_mult),
                            weight_decay=settings.weight_decay)
    pad_id = processor.tokenizer.pad_token_id
    training_attention(model, device, settings.autocast, settings.attention)
    model.train()
    start, losses, seen, step = time.time(), [], 0, 0
    for step, chunk in enumerate(batches(pairs, settings.batch_size, rng)):
        if step >= settings.steps or (settings.max_seconds and time.time() - start > settings.max_seconds):
            break
        set_lr(opt, lr_at(step, settings))
        batch = to_device(collate([make_example(processor, item, target) for item, target in chunk], pad_id), device)
        with mixed_precision(settings.autocast, device):
            loss = model(**batch).loss
        optimizer_step(opt, loss, params, settings.grad_clip, f"SFT at step {step}:")
        losses.append(loss.item())
        seen += len(chunk)
        if log and (step % settings.log_every == 0 or step == settings.steps - 1):
            log({"step": step, "loss": round(losses[-1], 4), "lr": lr_at(step, settings),
                 "samples_per_s": round(seen / max(1e-9, time.time() - start), 1)})
    model.eval()
    elapsed = time.time() - start
    head = losses[: max(1, len(losses) // 10)]
    tail = losses[-max(1, len(losses) // 10):]
    return {"steps": len(losses), "seconds": round(elapsed, 1), "samples": seen,
            "samples_per_s": round(seen / max(1e-9, elapsed), 1),
            "loss_first": round(sum(head) / len(head), 4) if losses else None,
            "loss_last": round(sum(tail) / len(tail), 4) if losses else None}
