"""How well each checkpoint's image tokens tell a cell's colour and shape kind: a linear probe.

    python benchmarks/vision_probe.py MODEL [MODEL ...] [--train-images 2048] [--heldout-images 256]
                                      [--steps 1500] [--lr 3e-3] [--threads 2]

For each MODEL (a checkpoint directory, e.g. a run's `vision/model` and `sft/model`), the adapter's
output for fresh shapes-world scenes (sft/vision.py `Batches`: the vision stage's scenes and
per-token labels) is computed once with the model frozen, and a fresh linear head learns the
colour and shape-kind shares of every token from it (the vision stage's loss; seed 0). Reported:
held-out accuracy on tokens at least 15% covered by a shape, as the vision stage reports it. The
rm stage's `vision: pretrained` rests on this (docs/PERFORMANCE.md). One JSON line per model.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from model.load import load_vlm  # noqa: E402
from sft.vision import Batches, VisionSettings, cell_accuracy, head_loss, image_features  # noqa: E402


@torch.no_grad()
def token_features(model, make: Batches, seed: int, n: int, chunk: int = 64) -> tuple[torch.Tensor, ...]:
    """(features, colour shares, shape shares) of every token of n fresh scenes."""
    rng, out = random.Random(seed), []
    for i in range(0, n, chunk):
        b = make(rng, min(chunk, n - i), "cpu")
        out.append((image_features(model, b["pixel_values"], b["image_grid_thw"]).float(), b["colour"], b["shape"]))
    return tuple(torch.cat(x) for x in zip(*out))


def probe(train: tuple, held: tuple, steps: int, lr: float, batch: int = 512) -> dict:
    feats, colour, shape = train
    torch.manual_seed(0)
    head = torch.nn.Linear(feats.shape[1], colour.shape[1] + shape.shape[1])
    opt = torch.optim.AdamW(head.parameters(), lr=lr)
    for _ in range(steps):
        idx = torch.randint(0, len(feats), (batch,))
        loss = head_loss(head(feats[idx]), colour[idx], shape[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    f, c, s = held
    with torch.no_grad():
        return {**cell_accuracy(head(f), c, s), "tokens": int((c[:, 0] < 0.85).sum())}


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("--train-images", type=int, default=2048)
    ap.add_argument("--heldout-images", type=int, default=256)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    rows = []
    for path in args.models:
        model, processor = load_vlm(path)
        model.eval()
        make = Batches(processor, VisionSettings())
        train = token_features(model, make, 1, args.train_images)
        held = token_features(model, make, 99, args.heldout_images)
        rows.append({"model": path, **probe(train, held, args.steps, args.lr)})
        print(json.dumps(rows[-1]), flush=True)
    return rows


if __name__ == "__main__":
    main()
