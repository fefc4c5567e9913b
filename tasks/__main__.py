"""python -m tasks OUT_DIR [--tasks count,math] [--n-train 1000] [--n-heldout 100] [--seed 0] [--image-size 112]
[--difficulty '{"max_shapes": 8}']: write a shapes-world suite and print where and how fast."""
import argparse
import json
import time

from .generate import TASKS
from .suite import generate_suite


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m tasks", description=__doc__)
    ap.add_argument("out_dir")
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--n-train", type=int, default=1000)
    ap.add_argument("--n-heldout", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--image-size", type=int, default=112)
    ap.add_argument("--difficulty", default=None, help="JSON object of Difficulty fields")
    a = ap.parse_args(argv)
    names = [t for t in a.tasks.split(",") if t]
    t0 = time.perf_counter()
    paths = generate_suite(a.out_dir, tasks=names, n_train=a.n_train, n_heldout=a.n_heldout, seed=a.seed,
                           difficulty=json.loads(a.difficulty) if a.difficulty else None, image_size=a.image_size)
    dt = time.perf_counter() - t0
    n = (a.n_train + a.n_heldout) * len(names)
    print(json.dumps({k: str(v) for k, v in paths.items()}), f"{n} items ready in {dt:.2f} s")


if __name__ == "__main__":
    main()
