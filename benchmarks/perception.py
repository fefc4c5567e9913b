"""Does a model use the image? Two probes of a checkpoint on the shapes world.

    python benchmarks/perception.py MODEL_DIR [--items 64] [--max-shapes 5]

1. Swap test: the mean loss of the items' short captions (tasks/captions.py) given the right image
   and given another item's image. A model that ignores the image scores both the same; one that
   looks does worse with the wrong image (`loss_gap` = other - right, > 0).
2. Image embeddings (what the vision tower + merger hand the language model): their mean norm
   per token (`image_embed_norm`, against the text embeddings' `text_embed_norm`) and
   `image_spread`: the spread of each image-token position across images over the spread of all
   image embeddings. Training that turns the image into a constant soft prompt shows as the norm
   growing (3.5 -> 160+ in 100 steps here) while the spread falls (0.32 -> 0.02).
3. Greedy captions of held-out images: the share whose stated count is right (against the prior of
   always saying the most common count), and the Jaccard overlap of the (colour, shape) pairs named
   with those present.
4. With --suite DIR (a run's `data` stage output): the swap test on the suite's held-out gold
   traces (`<think>...</think>answer`), per task (`trace_gaps`): does the policy use the image
   where the tasks need it, not only in captions.
Fresh images (seed 4242), --max-shapes per image. Last line: one JSON object.

    python benchmarks/perception.py RUN/sft/model --suite RUN/data --tasks count,choice,chat,grounding
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from benchmarks.scratch import scratch_dir  # noqa: E402
from model.load import load_vlm  # noqa: E402
from model.prompts import load_images, prompt_text  # noqa: E402
from sft.data import collate, make_example  # noqa: E402
from sft.vision import image_features  # noqa: E402
from tasks import generate_suite, load_suite  # noqa: E402
from tasks.captions import PROMPT, caption  # noqa: E402


def record(it) -> dict:
    return {"id": it.id, "prompt": PROMPT, "images": list(it.images), "image_root": str(it.image_root)}


@torch.no_grad()
def caption_loss(model, processor, pairs) -> float:
    batch = collate([make_example(processor, r, t) for r, t in pairs], processor.tokenizer.pad_token_id)
    return float(model(**batch).loss)


@torch.no_grad()
def image_embedding_stats(model, processor, pairs) -> dict:
    """Mean norm of the image tokens' embeddings and how much they vary across images."""
    batch = collate([make_example(processor, r, t) for r, t in pairs], processor.tokenizer.pad_token_id)
    device = next(model.parameters()).device
    feats = image_features(model, batch["pixel_values"].to(device), batch["image_grid_thw"].to(device))
    per_image = feats.view(len(pairs), -1, feats.shape[-1])     # same size images: same token count
    text = model.model.language_model.embed_tokens.weight
    return {"image_embed_norm": round(float(feats.norm(dim=-1).mean()), 3),
            "text_embed_norm": round(float(text.norm(dim=-1).mean()), 3),
            "image_spread": round(float(per_image.std(0).mean() / feats.std()), 4)}


@torch.no_grad()
def greedy_captions(model, processor, items) -> dict:
    right, jaccard, prior = 0, 0.0, Counter()
    for it in items:
        rec = record(it)
        inputs = processor(text=[prompt_text(processor, rec)], images=load_images(rec), return_tensors="pt")
        out = model.generate(**inputs, max_new_tokens=80, do_sample=False)
        text = processor.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
        shapes = it.meta["shapes"]
        prior[len(shapes)] += 1
        stated = re.search(r"(\d+) shapes?\.", text)
        right += bool(stated and int(stated.group(1)) == len(shapes))
        named = set(re.findall(r"\ba (\w+) (circle|square|triangle|star)\b", text))
        present = {(s["colour"], s["shape"]) for s in shapes}
        jaccard += len(named & present) / max(1, len(named | present))
    n = len(items)
    return {"count_right": round(right / n, 3), "count_prior": round(max(prior.values()) / n, 3),
            "colour_shape_jaccard": round(jaccard / n, 3), "example": text}


@torch.no_grad()
def trace_gaps(model, processor, suite_dir, tasks: list[str], n: int) -> dict:
    """{task: {loss_right_image, loss_other_image, loss_gap}} of the suite's first n held-out gold
    traces of each task, given the item's images and the next item's (same task)."""
    items = load_suite(suite_dir, "heldout")
    out = {}
    for task in tasks:
        its = [it for it in items if it.task == task and it.target][:n]
        if len(its) < 2:
            raise SystemExit(f"--suite {suite_dir}: fewer than 2 held-out {task!r} items with a target")
        right = [(it, it.target) for it in its]
        other = [(dataclasses.replace(it, images=its[(i + 1) % len(its)].images), it.target)
                 for i, it in enumerate(its)]
        loss_right, loss_other = caption_loss(model, processor, right), caption_loss(model, processor, other)
        out[task] = {"loss_right_image": round(loss_right, 4), "loss_other_image": round(loss_other, 4),
                     "loss_gap": round(loss_other - loss_right, 4)}
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--items", type=int, default=64)
    ap.add_argument("--max-shapes", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--suite", help="a generated suite dir: also the swap test on its held-out gold traces")
    ap.add_argument("--tasks", default="count,choice,chat,grounding", help="tasks of --suite")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    data = scratch_dir("perception_")
    generate_suite(data, tasks=["chat"], n_train=args.items, n_heldout=args.items, seed=4242,
                   difficulty={"max_shapes": args.max_shapes})
    model, processor = load_vlm(args.model)
    model.eval()
    items = load_suite(data, "train")
    right = [(record(it), caption(it)) for it in items]
    other = [(record(items[(i + 1) % len(items)]), caption(it)) for i, it in enumerate(items)]
    loss_right, loss_other = caption_loss(model, processor, right), caption_loss(model, processor, other)
    out = {"loss_right_image": round(loss_right, 4), "loss_other_image": round(loss_other, 4),
           "loss_gap": round(loss_other - loss_right, 4), **image_embedding_stats(model, processor, right[:32]),
           **greedy_captions(model, processor, load_suite(data, "heldout")),
           "config": {"model": args.model, "items": args.items, "max_shapes": args.max_shapes}}
    if args.suite:
        out["trace_gaps"] = trace_gaps(model, processor, args.suite, args.tasks.split(","), args.items)
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
