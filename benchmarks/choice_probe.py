"""Where does a policy fail the choice task? Three teacher-forced steps of the gold trace.

    python benchmarks/choice_probe.py MODEL_DIR --suite RUN/data [--items 72]

On the suite's held-out `colour_of` / `shape_of` choice items, whose gold thought is
"The circle is green, option D." (or "The yellow object is a circle, option C."):

- `copy`: greedy from "<think>The", does the thought name the question's subject ("circle",
  "yellow object") first? Copying from the prompt.
- `see`: teacher-forced to "<think>The circle is", is the next token the right colour (or shape)?
  Reading the image, given the subject.
- `map`: teacher-forced to "<think>The circle is green, option", is the next token the right letter?
  Finding "green" among the prompt's options: no image needed, a pretrained LLM's skill (chance 0.25).
- `greedy`: the greedy response's accuracy (format gate and the choice verifier).

Last line: one JSON object.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from benchmarks.probe_util import Prober  # noqa: E402
from model.load import load_vlm  # noqa: E402
from rewards.format import check_format  # noqa: E402
from tasks import load_suite  # noqa: E402
from verifiers import get_verifier  # noqa: E402

GOLD = re.compile(r"The (.+?) is (?:an? )?(\w+), option ([A-Z])\.")


def probe(model, processor, items) -> dict:
    p, verify = Prober(model, processor), get_verifier("choice")
    counts = {"copy": 0, "see": 0, "map": 0, "greedy": 0}
    for it in items:
        subject, word, letter = GOLD.fullmatch(it.cot).groups()
        head = it.cot[: it.cot.index(word)].rstrip()            # "The circle is" / "... is a"
        counts["copy"] += p.greedy(it, "<think>The").strip().startswith(subject)
        counts["see"] += p.next_word(it, "<think>" + head) == word
        counts["map"] += p.next_word(it, "<think>" + it.cot.rsplit("option", 1)[0] + "option") == letter
        response = p.greedy(it)
        answer = response.split("</think>")[-1]
        counts["greedy"] += check_format(response).ok and verify(it.to_record(), answer).score >= 1.0
    return {k: round(v / max(1, len(items)), 3) for k, v in counts.items()}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--suite", required=True, help="a suite directory (a run's data stage output)")
    ap.add_argument("--items", type=int, default=72)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    items = [it for it in load_suite(args.suite, "heldout") if it.task == "choice"
             and it.meta.get("choice_kind") in ("colour_of", "shape_of") and GOLD.fullmatch(it.cot or "")]
    items = items[: args.items]
    if not items:
        raise SystemExit(f"{args.suite}: no held-out colour_of / shape_of choice items")
    model, processor = load_vlm(args.model)
    model.eval()
    result = {"model": args.model, "items": len(items), **probe(model, processor, items)}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
