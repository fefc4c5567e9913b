"""The scalar reward model's held-out pairwise accuracy, overall and by mistake kind.

    python benchmarks/rm_accuracy.py [--model DIR] [--data DIR] [--steps 200] [--lr 3e-4] [--batch-size 16]
                                     [--pool mean] [--head linear|match] [--pairs 2000] [--heldout 200] [--every 100]
                                     [--vision-lr-mult 1.0] [--head-lr-mult 1.0] [--autocast bf16]
                                     [--freeze-backbone] [--schedule constant|cosine] [--off-task-rate 0]
                                     [--match-window 1] [--tally K] [--vision-from RUN/vision/model]
                                     [--vision-steps 0] [--perceive-steps 0]

The RM (model/value.py's ScalarModel) starts from --model (a policy checkpoint, e.g. a run's
`sft/model`; default: the random-init tiny `small` model) and trains with the Bradley-Terry loss
(rewards/rm_train.py) on --pairs preference pairs of the suite's `chat` train items
(rewards/preferences.py), evaluated every --every steps on --heldout pairs of held-out items. --data
is a suite folder (a run's `data/`; default: a fresh suite). --vision-steps / --perceive-steps first
build the backbone the way the default recipe's `vision` and `perceive` stages do (sft/vision.py,
then SFT on tasks/vqa.py questions at lr 3e-4, vision side at 0.1x). --vision-from takes the vision
tower + adapter from another checkpoint (the rm stage's `vision: pretrained`). Each --every chunk is its own
train_rm call (the schedule restarts; a frozen backbone's features are computed again): --every 0
trains in one call and evaluates at the end. Trains on the GPU when torch sees one. Last line: one
JSON object.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from benchmarks.scratch import scratch_dir  # noqa: E402
from model.load import copy_vision, default_device, load_vlm  # noqa: E402
from model.tiny import build_tiny  # noqa: E402
from model.value import ScalarModel  # noqa: E402
from rewards.preferences import preference_pairs  # noqa: E402
from rewards.rm_train import RMSettings, pair_rewards, train_rm  # noqa: E402
from tasks import generate_suite, load_suite  # noqa: E402


@torch.no_grad()
def accuracy_by_mistake(rm, processor, pairs: list[dict], batch: int = 16) -> dict:
    rm.eval()
    by: dict[str, list[float]] = defaultdict(list)
    for i in range(0, len(pairs), batch):
        part = pairs[i:i + batch]
        rc, rr = pair_rewards(rm, processor, part)
        for p, a, b in zip(part, rc.tolist(), rr.tolist()):
            by[p["meta"]["mistake"]].append(1.0 if a > b else 0.5 if a == b else 0.0)
    every = [v for vals in by.values() for v in vals]
    return {"accuracy": round(sum(every) / len(every), 4),
            "by_mistake": {k: round(sum(v) / len(v), 3) for k, v in sorted(by.items())}}


def pretrain(policy, processor, args, work: Path) -> None:
    """The default recipe's `vision` and `perceive` stages on the starting model, when asked for."""
    from sft.trainer import SFTSettings, train_sft
    from sft.vision import VisionSettings, pretrain_vision
    from tasks.vqa import vqa_pairs

    if args.vision_steps:
        out = pretrain_vision(policy, processor, VisionSettings(steps=args.vision_steps, word_align=args.word_align))
        print(json.dumps({"vision": out["heldout_after"]}), flush=True)
    if args.perceive_steps:
        out = train_sft(policy, processor, vqa_pairs(work / "vqa", 8000), SFTSettings(
            steps=args.perceive_steps, batch_size=16, lr=3e-4, vision_lr_mult=0.1, autocast=args.autocast))
        print(json.dumps({"perceive_loss": out.get("loss_last")}), flush=True)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model")
    ap.add_argument("--data")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--pool", default="mean", choices=["last", "mean", "sum"])
    ap.add_argument("--head", default="linear", choices=["linear", "match"], help="model/value.py ScalarModel head")
    ap.add_argument("--pairs", type=int, default=2000)
    ap.add_argument("--heldout", type=int, default=200)
    ap.add_argument("--every", type=int, default=100, help="evaluate every N steps; 0: at the end only")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--tally", type=int, default=0, help="learned tallies over the response (model/value.py Tally)")
    ap.add_argument("--match-window", type=int, default=1, help="the match head's phrase length (ImageMatch window)")
    ap.add_argument("--schedule", choices=["constant", "cosine"], default="constant")
    ap.add_argument("--off-task-rate", type=float, default=0.0, help="rewards/preferences.py off_task_rate")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--vision-lr-mult", type=float, default=1.0)
    ap.add_argument("--head-lr-mult", type=float, default=1.0, help="the RM's head at lr x this")
    ap.add_argument("--freeze-backbone", action="store_true", help="train the RM's head(s) only")
    ap.add_argument("--autocast", choices=["bf16"], default=None)
    ap.add_argument("--vision-from", help="a checkpoint whose vision tower + adapter the RM uses (the rm stage's "
                    "`vision: pretrained`: RUN/vision/model)")
    ap.add_argument("--vision-steps", type=int, default=0)
    ap.add_argument("--perceive-steps", type=int, default=0)
    ap.add_argument("--word-align", type=float, default=0.0, help="vision pre-training: sft/vision.py word_align")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    work = scratch_dir("rm_accuracy_")
    model_dir = args.model or str(build_tiny("small", seed=0, cache_dir=work / "models"))
    data = Path(args.data) if args.data else work / "data"
    if not args.data:
        generate_suite(data, tasks=["chat"], n_train=args.pairs, n_heldout=args.heldout)
    train = preference_pairs(load_suite(data, "train"), args.pairs, off_task_rate=args.off_task_rate)
    heldout = preference_pairs(load_suite(data, "heldout"), args.heldout)
    for p in train + heldout:
        p["image_root"] = str(data)
    policy, processor = load_vlm(model_dir)
    pretrain(policy, processor, args, work)
    if args.vision_from:
        copy_vision(policy, load_vlm(args.vision_from)[0])
    rm = ScalarModel.from_policy(policy, pool=args.pool, head=args.head,
                                 match_window=args.match_window, tally=args.tally).to(default_device())   # trains and is scored there
    del policy
    curve, start, done = [], time.time(), 0
    while done < args.steps:
        n = min(args.every or args.steps, args.steps - done)
        summary = train_rm(rm, processor, train, RMSettings(
            steps=n, lr=args.lr, seed=done, warmup_steps=10 if done == 0 else 0, batch_size=args.batch_size,
            schedule=args.schedule,
            vision_lr_mult=args.vision_lr_mult, head_lr_mult=args.head_lr_mult, autocast=args.autocast,
            freeze_backbone=args.freeze_backbone))
        done += n
        curve.append({"steps": done, "seconds": round(time.time() - start, 1),
                      "feature_seconds": summary.get("feature_seconds"),
                      "train_loss": round(summary["final_loss"], 4), **accuracy_by_mistake(rm, processor, heldout)})
        print(json.dumps(curve[-1]), flush=True)
    out = {**curve[-1], "curve": curve, "config": {**vars(args), "model": model_dir, "data": str(data)}}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
