"""Offline scoring: `python -m rewards.score --recipe recipes/hybrid_rl.yaml IN.jsonl -o OUT.jsonl`.

Input lines: {"id", "task", "response", "answer", ...}; every field but "response" reaches the
verifiers as the sample (e.g. "image_size", "coord_space"). Output lines:
{"id", "reward", "rewards": {source: value}, "format_ok", "elapsed_s"} plus "error" and
"timeouts" when there are any. Options: --no-format (skip the <think> gate where a task has other
sources, for bare answers), --workers N, --batch-size N, --set key.sub=value (recipe overrides).
Tasks whose sources name a reward model ("rm": the scalar RM, "judge": the generative judge of the
recipe's `reward_model` section) are scored with it: --rm DIR names a trained scalar RM (else
`reward_model.path`); samples then need "prompt" and "images", found under --image-root (default:
the folder of IN.jsonl, as in a generated suite) unless a line has its own "image_root".

Resumable: ids already in OUT are skipped, rows are appended and flushed per batch, and a last line
cut short by a kill is dropped and redone. Bad input lines are reported as `IN.jsonl:17: ...` and
skipped. Exit code: 0 ok, 1 some bad lines, 2 bad recipe or usage (one line on stderr).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from rewards.hybrid import HybridReward, RewardSetupError, UnknownTask
from rewards.pool import PoolError
from rewards.rm import make_reward_model, without_missing_rm
from rl.config import ConfigError, load_recipe

DEFAULT_RECIPE = "recipes/hybrid_rl.yaml"
REQUIRED = ("id", "task", "response")


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit code 2
        raise UsageError(message)


def parse_args(argv):
    p = Parser(prog="python -m rewards.score", description="Score JSONL responses with a recipe's rewards.")
    p.add_argument("input", metavar="IN.jsonl")
    p.add_argument("-o", "--output", required=True, metavar="OUT.jsonl")
    p.add_argument("--recipe", default=None, help=f"recipe YAML (default {DEFAULT_RECIPE})")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="recipe override, e.g. rewards.timeout_s=5 (repeatable)")
    p.add_argument("--no-format", action="store_true", help="skip the <think> gate where a task has other sources")
    p.add_argument("--workers", type=int, default=None, help="verifier processes (0 = in-process, no time limit)")
    p.add_argument("--batch-size", type=int, default=512)
    p.add_argument("--rm", default=None, metavar="DIR", help="trained scalar reward model (source 'rm')")
    p.add_argument("--image-root", default=None, metavar="DIR", help="folder image paths are relative to")
    args = p.parse_args(argv)
    if args.workers is not None and args.workers < 0:
        raise UsageError("--workers must be >= 0")
    if args.batch_size < 1:
        raise UsageError("--batch-size must be >= 1")
    if args.recipe is None:
        packaged = Path(__file__).resolve().parents[1] / DEFAULT_RECIPE
        args.recipe = DEFAULT_RECIPE if Path(DEFAULT_RECIPE).is_file() or not packaged.is_file() else str(packaged)
    return args


def id_key(value) -> str:
    return json.dumps(value, sort_keys=True)


def load_done(out: Path, console: Console) -> dict[str, dict]:
    """Rows already in OUT by id; a last line cut short by a kill is removed from the file."""
    if not out.exists():
        return {}
    data = out.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        with open(out, "r+b") as f:
            f.truncate(end)
        console.print(f"{out}: dropped a truncated last line (it will be redone)", soft_wrap=True, markup=False)
    done = {}
    for n, line in enumerate(data[:end].splitlines(), 1):
        try:
            row = json.loads(line)
            done[id_key(row["id"])] = row
        except (ValueError, TypeError, KeyError):
            if line.strip():
                console.print(f"{out}:{n}: unreadable output line ignored", soft_wrap=True, markup=False)
    return done


def check_record(line: bytes, hybrid: HybridReward) -> dict:
    """The record on `line`, or ValueError saying what is wrong with it."""
    try:
        record = json.loads(line)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"malformed JSON ({e})") from None
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    missing = [k for k in REQUIRED if k not in record]
    if missing:
        raise ValueError(f"missing {', '.join(repr(k) for k in missing)}")
    if isinstance(record["id"], bool) or not isinstance(record["id"], (str, int)):
        raise ValueError(f"id must be a string or an integer, got {record['id']!r}")
    if not isinstance(record["response"], str):
        raise ValueError(f"response must be a string, got {type(record['response']).__name__}")
    if record["task"] in getattr(hybrid, "needs_rm", ()):
        raise ValueError(f"task {record['task']!r} is scored by the scalar reward model: pass --rm DIR")
    try:
        hybrid.task_config(record["task"])
    except UnknownTask as e:
        raise ValueError(str(e)) from None
    return record


def output_row(record: dict, result) -> dict:
    row = {"id": record["id"], "reward": result.reward, "rewards": result.rewards,
           "format_ok": result.format_ok, "elapsed_s": round(result.elapsed_s, 6)}
    if result.error:
        row["error"] = result.error
    if result.timeouts:
        row["timeouts"] = result.timeouts
    return row


class Stats:
    def __init__(self):
        self.by_task = defaultdict(lambda: {"n": 0, "reward": 0.0, "checked": 0, "ok": 0, "timeouts": 0, "errors": 0})
        self.scored = self.resumed = self.bad = 0

    def add(self, task: str, row: dict) -> None:
        s = self.by_task[task]
        s["n"] += 1
        s["reward"] += float(row.get("reward") or 0.0)
        if row.get("format_ok") is not None:
            s["checked"] += 1
            s["ok"] += bool(row["format_ok"])
        s["timeouts"] += len(row.get("timeouts", []))
        s["errors"] += "error" in row

    def table(self) -> Table:
        t = Table(title="rewards", caption=f"{self.scored} scored now, {self.resumed} already in the output, "
                                           f"{self.bad} bad input lines")
        for col in ("task", "n", "mean reward", "format pass", "timeouts", "errors"):
            t.add_column(col, justify="left" if col == "task" else "right")
        for task in sorted(self.by_task):
            s = self.by_task[task]
            fmt = f"{s['ok'] / s['checked']:.1%}" if s["checked"] else "-"
            t.add_row(str(task), str(s["n"]), f"{s['reward'] / s['n']:.3f}", fmt, str(s["timeouts"]), str(s["errors"]))
        return t


def score_file(args, hybrid: HybridReward, console: Console) -> Stats:
    out_path, in_path = Path(args.output), Path(args.input)
    done = load_done(out_path, console)
    stats, seen, batch = Stats(), {}, []
    total = sum(1 for _ in open(in_path, "rb"))

    def flush(out):
        results = hybrid.score([{k: v for k, v in r.items() if k != "response"} for r in batch],
                               [r["response"] for r in batch], no_format=args.no_format)
        rows = [output_row(r, res) for r, res in zip(batch, results)]
        out.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
        out.flush()
        for r, row in zip(batch, rows):
            stats.add(r["task"], row)
        stats.scored += len(batch)
        batch.clear()

    columns = (TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with open(in_path, "rb") as src, open(out_path, "a", encoding="utf-8") as out, \
            Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task("lines", total=total)
        for n, line in enumerate(src, 1):
            if not line.strip():
                continue
            try:
                record = check_record(line, hybrid)
                key = id_key(record["id"])
                if key in seen:
                    raise ValueError(f"duplicate id {record['id']!r} (first on line {seen[key]})")
            except ValueError as e:
                progress.console.print(f"{args.input}:{n}: {e}", soft_wrap=True, markup=False, highlight=False)
                stats.bad += 1
                continue
            seen[key] = n
            if key in done:
                stats.add(record["task"], done[key])
                stats.resumed += 1
            else:
                batch.append(record)
                if len(batch) >= args.batch_size:
                    flush(out)
                    progress.update(bar, completed=n)
            if n % 1000 == 0 and not batch:
                progress.update(bar, completed=n)
        if batch:
            flush(out)
        progress.update(bar, completed=total)
    return stats


def main(argv: list[str] | None = None) -> int:
    console = Console(stderr=True)
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        if not Path(args.input).is_file():
            raise UsageError(f"{args.input}: input file not found")
        recipe = load_recipe(args.recipe, args.overrides)
        recipe, needs_rm = without_missing_rm(recipe, rm_path=args.rm)
        if needs_rm:
            console.print(f"[yellow]tasks {', '.join(needs_rm)} are scored by the scalar reward model: "
                          f"pass --rm DIR (or set reward_model.path) to score them[/yellow]")
        models = make_reward_model(recipe, rm_path=args.rm, image_root=args.image_root or Path(args.input).parent)
        hybrid = HybridReward(recipe.rewards, rm=models, workers=args.workers)
        hybrid.needs_rm = set(needs_rm)
    except UsageError as e:
        print(f"usage error: {e} (see python -m rewards.score --help)", file=sys.stderr)
        return 2
    except (ConfigError, RewardSetupError, PoolError) as e:
        print(f"config error: {e}", file=sys.stderr)
        return 2
    try:
        with hybrid:
            stats = score_file(args, hybrid, console)
    except KeyboardInterrupt:
        print("interrupted: rerun the same command to resume", file=sys.stderr)
        return 130
    except (OSError, PoolError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    Console().print(stats.table())   # stdout; progress and bad lines go to stderr
    return 1 if stats.bad else 0


if __name__ == "__main__":
    sys.exit(main())
