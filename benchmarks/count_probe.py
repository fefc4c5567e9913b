"""Where does a policy fail the count task? The two steps of the gold trace, apart.

    python benchmarks/count_probe.py MODEL_DIR --suite RUN/data [--items 60]

The count task's gold thought lists the scene, then tallies the list against the question:
"I see a red circle, a blue square and a red square. 2 of them are red." On the suite's held-out
count items:

- `list`: the greedy thought lists the scene exactly (every shape, left to right).
- `size`: the greedy list names as many shapes as the image has.
- `recall`: the share of the image's shapes (colour and kind) that the greedy list names.
- `tally`: teacher-forced to "<think>I see <the gold list>.", is the first number of the greedy
  continuation the answer? Counting a given list: no image needed.
- `consistent`: does the greedy answer equal the tally of the model's own list?
- `greedy`: the greedy response's accuracy (format gate and the count verifier).

Last line: one JSON object.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from benchmarks.probe_util import Prober  # noqa: E402
from model.load import load_vlm  # noqa: E402
from rewards.format import check_format  # noqa: E402
from tasks import load_suite  # noqa: E402
from tasks.shapes import describe_list, name  # noqa: E402
from verifiers import get_verifier  # noqa: E402

LISTED = re.compile(r"\s*(?:<think>)?\s*I see (.+?)\.")
NUMBER = re.compile(r"\d+")


def listed(response: str) -> list[str] | None:
    """"I see a red circle, a blue square and an orange star. ..." -> ["red circle", "blue square",
    "orange star"]; None when the response does not start with a list."""
    m = LISTED.match(response)
    if not m:
        return None
    parts = re.split(r", | and ", m.group(1))
    return [re.sub(r"^an? ", "", p.strip()) for p in parts if p.strip()]


def tally(names: list[str], query: dict) -> int:
    """How many of the listed "colour shape" names match the question's colour and/or shape."""
    def hit(n: str) -> bool:
        words = n.split()
        return ((query.get("colour") is None or query["colour"] in words)
                and (query.get("shape") is None or query["shape"] in words))
    return sum(hit(n) for n in names)


def probe(model, processor, items) -> dict:
    p, verify = Prober(model, processor), get_verifier("count")
    counts = dict.fromkeys(("list", "size", "recall", "tally", "consistent", "greedy"), 0.0)
    for it in items:
        shapes = it.meta["shapes"]
        gold = describe_list(shapes)
        response = p.greedy(it, max_new_tokens=64)
        names = listed(response)
        answer = response.split("</think>")[-1].strip()
        if names is not None:
            counts["list"] += LISTED.match(response).group(1) == gold
            counts["size"] += len(names) == len(shapes)
            left = Counter(names)
            found = 0
            for s in shapes:
                if left[name(s)] > 0:
                    left[name(s)] -= 1
                    found += 1
            counts["recall"] += found / len(shapes)
            counts["consistent"] += answer == str(tally(names, it.meta.get("query") or {}))
        rest = p.greedy(it, f"<think>I see {gold}.", max_new_tokens=16)
        first = NUMBER.search(rest)
        counts["tally"] += bool(first) and first.group(0) == it.answer
        counts["greedy"] += check_format(response).ok and verify(it.to_record(), answer).score >= 1.0
    return {k: round(v / max(1, len(items)), 3) for k, v in counts.items()}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--suite", required=True, help="a suite directory (a run's data stage output)")
    ap.add_argument("--items", type=int, default=60)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    items = [it for it in load_suite(args.suite, "heldout") if it.task == "count" and it.meta.get("shapes")]
    items = items[: args.items]
    if not items:
        raise SystemExit(f"{args.suite}: no held-out count items")
    model, processor = load_vlm(args.model)
    model.eval()
    result = {"model": args.model, "items": len(items), **probe(model, processor, items)}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
