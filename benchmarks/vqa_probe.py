"""Can the model learn to look? Train on one-word visual questions and watch the image's influence.

    python benchmarks/vqa_probe.py [--model tiny:small] [--steps 300] [--batch 16] [--lr 1e-3]
        [--max-shapes 5] [--min-size 0.14] [--max-size 0.28] [--kinds n,colour_of,...]
        [--freeze none|merger|visual] [--vision-lr-mult 1.0] [--white-zero] [--device cpu]
        [--vision-steps 0] [--vision-target shares|centre] [--word-align 0] [--per-image 1]

Questions about fresh shapes-world images whose answers are single words that only the image can
give ("How many red shapes are there?" -> "2", "What colour is the square?" -> "blue", "Where is
the red star?" -> "top left", "Is there a blue circle?" -> "no"). Every --eval-every steps, on 200
held-out questions: the loss with the right image and with another question's image (equal = the
image is ignored), teacher-forced exact-answer accuracy per kind against the majority-answer
prior, and the image embeddings' mean norm and spread across images (benchmarks/perception.py).
Variants: freeze the merger or the whole vision side, scale the vision side's learning rate,
or normalise pixels so that the white background maps to 0; `--per-image K` trains on up to K
different questions about each image in one conversation (tasks/vqa.py `ask`, as the `perceive`
stage's `questions_per_image`; --batch then counts images). Last line: one JSON object.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from benchmarks.scratch import scratch_dir  # noqa: E402
from model.load import load_vlm, param_groups  # noqa: E402
from sft.data import collate, make_example  # noqa: E402
from sft.trainer import optimizer_step  # noqa: E402
from tasks import generate_suite, load_suite  # noqa: E402
from tasks.vqa import KINDS, ask, sample  # noqa: E402


def white_zero(batch: dict, processor) -> dict:
    """Shift normalised pixels so that white (255, 255, 255) becomes 0 in every channel."""
    ip = processor.image_processor
    mean, std = torch.tensor(ip.image_mean), torch.tensor(ip.image_std)
    pv = batch["pixel_values"]
    n = pv.shape[0]
    batch["pixel_values"] = (pv.view(n, 3, -1) - ((1 - mean) / std)[None, :, None]).view(n, -1)
    return batch


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="tiny:small")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--max-shapes", type=int, default=5)
    ap.add_argument("--min-size", type=float, default=0.14)
    ap.add_argument("--max-size", type=float, default=0.28)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--freeze", choices=["none", "merger", "visual"], default="none")
    ap.add_argument("--vision-lr-mult", type=float, default=1.0)
    ap.add_argument("--white-zero", action="store_true")
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--per-image", type=int, default=1, help="questions per training image, in one conversation")
    ap.add_argument("--vision-steps", type=int, default=0,
                    help="first pre-train the vision side on dense labels (sft/vision.py) for this many steps")
    ap.add_argument("--vision-target", choices=["shares", "centre"], default="shares",
                    help="the vision pre-training's per-token labels (sft/vision.py `target`)")
    ap.add_argument("--word-align", type=float, default=0.0, help="the vision pre-training's word_align")
    args = ap.parse_args(argv)
    kinds = args.kinds.split(",")
    if bad := [k for k in kinds if k not in KINDS]:
        ap.error(f"unknown --kinds {bad}; known: {','.join(KINDS)}")
    torch.set_num_threads(args.threads)
    from benchmarks.perception import image_embedding_stats

    model, processor = load_vlm(args.model, device=args.device)
    if args.vision_steps:
        from sft.vision import VisionSettings, pretrain_vision

        done = pretrain_vision(model, processor, VisionSettings(
            steps=args.vision_steps, target=args.vision_target, word_align=args.word_align, max_shapes=args.max_shapes,
            min_size=args.min_size, max_size=args.max_size), device=args.device)
        print(json.dumps({"vision_pretraining": done}), file=sys.stderr, flush=True)
    data = scratch_dir("vqa_probe_")
    generate_suite(data, tasks=["chat"], n_train=4000, n_heldout=200, seed=11,
                   difficulty={"max_shapes": args.max_shapes, "min_size": args.min_size, "max_size": args.max_size})
    train, heldout = load_suite(data, "train"), load_suite(data, "heldout")
    pad = processor.tokenizer.pad_token_id

    def record(item, image_item=None):
        src = image_item or item
        return {"id": item.id, "images": list(src.images), "image_root": str(src.image_root)}

    def batch_of(rows, turns=None):   # rows: (item, prompt, answer, image_item); turns: per row
        turns = turns or [[]] * len(rows)
        b = collate([make_example(processor, {**record(it, img), "prompt": q, "turns": t}, a)
                     for (it, q, a, img), t in zip(rows, turns)], pad)
        b = white_zero(b, processor) if args.white_zero else b
        return {k: v.to(args.device) for k, v in b.items()}

    erng = random.Random(1)
    evalset = [(it, *sample(it.meta, kinds, erng)) for it in heldout]
    prior = defaultdict(Counter)
    for _, kind, _, answer in evalset:
        prior[kind][answer] += 1

    @torch.no_grad()
    def evaluate() -> dict:
        model.eval()
        right, swapped, acc = 0.0, 0.0, defaultdict(list)
        for i in range(0, len(evalset), 50):
            chunk = evalset[i:i + 50]
            b = batch_of([(it, q, a, None) for it, _, q, a in chunk])
            out = model(**b)
            right += float(out.loss) * len(chunk)
            pred, lab = out.logits[:, :-1].argmax(-1), b["labels"][:, 1:]
            for n, (_, kind, _, _) in enumerate(chunk):
                m = lab[n] != -100
                acc[kind].append(bool((pred[n][m] == lab[n][m]).all()))
            other = [(it, q, a, evalset[(i + n + 1) % len(evalset)][0]) for n, (it, _, q, a) in enumerate(chunk)]
            swapped += float(model(**batch_of(other)).loss) * len(chunk)
        pairs = [(dict(record(it), prompt=q), a) for it, _, q, a in evalset[:32]]
        model.train()
        return {"loss_right_image": round(right / len(evalset), 4), "loss_other_image": round(swapped / len(evalset), 4),
                "accuracy": {k: round(sum(v) / len(v), 3) for k, v in sorted(acc.items())},
                **image_embedding_stats(model, processor, pairs)}

    if args.freeze != "none":
        key = "visual.merger" if args.freeze == "merger" else "visual"
        for name, p in model.named_parameters():
            if key in name:
                p.requires_grad_(False)
    groups = param_groups(model, args.lr, args.vision_lr_mult)
    opt = torch.optim.AdamW(groups)
    rng, start, history = random.Random(0), time.time(), []
    model.train()
    for step in range(args.steps + 1):
        if step % args.eval_every == 0 or step == args.steps:
            history.append({"step": step, "seconds": round(time.time() - start, 1), **evaluate()})
            print(json.dumps(history[-1]), file=sys.stderr, flush=True)
        if step == args.steps:
            break
        rows, turns = [], []
        for it in rng.sample(train, args.batch):
            asked = [qa[1:] for qa in ask(it.meta, kinds, rng, args.per_image)]
            rows.append((it, *asked[0], None))
            turns.append([list(qa) for qa in asked[1:]])
        loss = model(**batch_of(rows, turns)).loss
        optimizer_step(opt, loss, [p for g in groups for p in g["params"]], 1.0, f"VQA probe at step {step}:")
    out = {**history[-1], "prior": {k: round(max(c.values()) / sum(c.values()), 3) for k, c in sorted(prior.items())},
           "history": history, "config": vars(args)}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
