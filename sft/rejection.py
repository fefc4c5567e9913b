"""Rejection sampling: k samples per prompt from the current policy, scored by the hybrid reward.

A prompt's pass rate (share of correct samples) is its difficulty for the current model. Prompts
outside [min_pass, max_pass] are dropped (trivial or hopeless now); of the others, distinct
correct responses become the next SFT set.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class PromptStat:
    id: str
    task: str
    k: int
    correct: int
    pass_rate: float
    kept: int       # responses kept for SFT
    verdict: str    # "kept" | "trivial" | "hopeless" | "no_distinct"


def normalise(text: str) -> str:
    return " ".join(text.split())


def select(batch, results, min_pass: float, max_pass: float, keep_per_prompt: int,
           correct_at: float = 1.0) -> tuple[list, list[PromptStat]]:
    """(SFT pairs [(item, response)], one PromptStat per prompt) from a Rollout and its rewards."""
    by_group: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(batch.group.tolist()):
        by_group[g].append(i)
    pairs, stats = [], []
    for g, rows in sorted(by_group.items()):
        item = batch.items[g]
        correct = [i for i in rows if results[i].reward >= correct_at and results[i].format_ok is not False]
        rate = len(correct) / len(rows)
        if rate < min_pass or rate == 0:
            verdict = "hopeless"
        elif rate > max_pass:
            verdict = "trivial"
        else:
            verdict = "kept"
        kept: list[str] = []
        if verdict == "kept":
            seen = set()
            for i in correct:
                key = normalise(batch.texts[i])
                if key not in seen and len(kept) < keep_per_prompt:
                    seen.add(key)
                    kept.append(batch.texts[i])
            pairs.extend((item, text) for text in kept)
        stats.append(PromptStat(str(item.id), item.task, len(rows), len(correct), round(rate, 4), len(kept), verdict))
    return pairs, stats


def summarise(stats: list[PromptStat]) -> dict:
    """Per task: prompts, kept / trivial / hopeless counts, mean pass rate, responses kept."""
    out: dict[str, dict] = {}
    for task in sorted({s.task for s in stats}):
        rows = [s for s in stats if s.task == task]
        verdicts = Counter(s.verdict for s in rows)
        out[task] = {"prompts": len(rows), **{v: verdicts.get(v, 0) for v in ("kept", "trivial", "hopeless")},
                     "mean_pass_rate": round(sum(s.pass_rate for s in rows) / len(rows), 4),
                     "responses": sum(s.kept for s in rows)}
    return out


def write_outputs(out_dir: Path, pairs: list, stats: list[PromptStat]) -> dict:
    """sft.jsonl (the new SFT set), prompts.jsonl (per-prompt stats), stats.json, difficulty.png."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rate = {s.id: s.pass_rate for s in stats}
    with (out_dir / "sft.jsonl").open("w") as f:
        for item, text in pairs:
            f.write(json.dumps({"id": item.id, "task": item.task, "target": text, "pass_rate": rate[str(item.id)]}) + "\n")
    with (out_dir / "prompts.jsonl").open("w") as f:
        for s in stats:
            f.write(json.dumps(asdict(s)) + "\n")
    summary = summarise(stats)
    (out_dir / "stats.json").write_text(json.dumps(summary, indent=1))
    plot_difficulty(out_dir / "difficulty.png", stats)
    return summary


def plot_difficulty(path: Path, stats: list[PromptStat]) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = sorted({s.task for s in stats})
    if not tasks:
        return
    fig, axes = plt.subplots(1, len(tasks), figsize=(3 * len(tasks), 2.6), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        ax.hist([s.pass_rate for s in stats if s.task == task], bins=[i / 10 for i in range(11)], color="tab:blue")
        ax.set_title(task)
        ax.set_xlabel("pass rate")
    axes[0][0].set_ylabel("prompts")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
