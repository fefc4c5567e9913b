"""`python -m rl.run RECIPE.yaml [key.sub=value ...]`: run every stage of a recipe in order.

Outputs go to `output_dir` (default runs/hybrid_rl): the resolved `config.yaml`, one folder per
stage, and `stages.json` (what finished, with each stage's summary). A recipe error exits with
code 2 and one line on stderr; `resume=true` continues a run, skipping finished stages.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

# In-process vLLM on CPU (STACK_NOTES: ~10x the multiprocess throughput on 2 cores), no Ray auth
# token for local runs; set before anything imports vllm or ray. A user's own values win.
for _key, _value in {"VLLM_ENABLE_V1_MULTIPROCESSING": "0", "VLLM_CPU_KVCACHE_SPACE": "1",
                     "RAY_AUTH_MODE": "disabled", "TOKENIZERS_PARALLELISM": "false"}.items():
    os.environ.setdefault(_key, _value)

from rewards.hybrid import RewardSetupError  # noqa: E402
from rl.config import ConfigError, dump_recipe, load_recipe  # noqa: E402
from rl.stages import StageError, run_stages  # noqa: E402

USAGE = "usage: python -m rl.run RECIPE.yaml [key.sub=value ...]   (e.g. smoke=true output_dir=runs/x)"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    recipe_path, overrides = argv[0], argv[1:]
    try:
        recipe = load_recipe(recipe_path, overrides)
        out = prepare_output_dir(recipe)
    except ConfigError as e:
        print(f"config error: {e}", file=sys.stderr)
        return 2
    dump_recipe(recipe, out / "config.yaml")
    try:
        run_stages(recipe, out)
    except StageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except RewardSetupError as e:
        print(f"config error: {e}", file=sys.stderr)
        return 2
    finally:
        shutdown_ray()
    return 0


def shutdown_ray() -> None:
    """Stop the local Ray cluster a stage started (actors, raylet), if any."""
    ray = sys.modules.get("ray")
    if ray is not None and ray.is_initialized():
        ray.shutdown()


def prepare_output_dir(recipe) -> Path:
    """Create output_dir; refuse to overwrite an earlier run unless resume=true."""
    out = Path(recipe.output_dir)
    earlier = (out / "config.yaml").exists()
    if earlier and not recipe.resume:
        raise ConfigError(f"output_dir {out} already holds a run: pass resume=true to continue it, "
                          f"or output_dir=NEW_DIR for a new one")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ConfigError(f"output_dir {out}: cannot create it ({e.strerror})") from None
    return out


if __name__ == "__main__":
    sys.exit(main())
