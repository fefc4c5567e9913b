"""Evaluation between stages: held-out accuracy per task after every stage that changes the model,
kept in OUTPUT_DIR/eval.json (`{"stages": [{"stage", "accuracy", "mean_verifiable"}, ...]}`, in
stage order), a markdown table (eval.md) and a plot (eval.png). Beside the stages: "prior", the
constant-answer baseline (rl/prior.py), and "control", the SFT-only control (rl/control.py)."""
from __future__ import annotations

import json
from pathlib import Path

from rl.evaluate import HEADLINE, evaluate

MODEL_STAGES = ("sft", "rl", "rft")   # stage kinds after which the model is evaluated


def evaluate_model(recipe, model_dir: str, items: list, state: dict | None = None) -> dict:
    """Greedy held-out answers from the model at `model_dir` (vLLM or HF engine, as the recipe's
    rollout section says), scored by the recipe's hybrid reward (tasks it cannot score yet are
    left out)."""
    from rewards.rm import make_reward_model, without_missing_rm
    from rl.loop import greedy_sampling
    from rl.rewarding import RewardWorker
    from rl.rollout import RolloutGroup
    from rl.stage_rl import start_ray

    recipe, _ = without_missing_rm(recipe, state)
    items = [it for it in items if it.task in recipe.rewards.tasks]
    start_ray()
    group = RolloutGroup(model_dir, recipe.rollout, dtype=recipe.model.dtype)
    scorer = RewardWorker(recipe.rewards, make_reward_model(recipe, state))
    try:
        return evaluate(group.generate, scorer.score, items, greedy_sampling(recipe))
    finally:
        group.close()
        scorer.close()


def read_eval(out: Path) -> dict:
    path = Path(out) / "eval.json"
    return json.loads(path.read_text()) if path.exists() else {}


def write_eval(out: Path, data: dict) -> None:
    from rl.stages import write_json
    write_json(Path(out) / "eval.json", data)


def record_stage(out: Path, stage: str, result: dict, key: str = "stages") -> dict:
    """Add (or replace) one stage's entry in eval.json; other keys (e.g. "rm") are kept."""
    data = read_eval(out)
    entry = {"stage": stage, "accuracy": result["accuracy"], "mean_verifiable": result["mean_verifiable"],
             "format_rate": result.get("format_rate"), "n": result.get("n")}
    if "answers" in result:
        entry["answers"] = result["answers"]
    if key == "stages":
        data["stages"] = [e for e in data.get("stages", []) if e["stage"] != stage] + [entry]
    else:
        data[key] = entry
    write_eval(out, data)
    write_table(out, data)
    return data


def table(data: dict) -> str:
    rows = [data[k] for k in ("prior",) if k in data] + list(data.get("stages", [])) \
        + ([data["control"]] if "control" in data else [])
    tasks = sorted({t for r in rows for t in r["accuracy"]})
    lines = ["| stage | " + " | ".join(tasks) + " | mean_verifiable |",
             "|---|" + "---|" * len(tasks) + "---|"]
    for r in rows:
        cells = [f"{r['accuracy'][t]:.3f}" if t in r["accuracy"] else "-" for t in tasks]
        mv = r.get("mean_verifiable")
        lines.append(f"| {r['stage']} | " + " | ".join(cells) + f" | {mv if mv is None else f'{mv:.3f}'} |")
    return "\n".join(lines)


def write_table(out: Path, data: dict) -> None:
    (Path(out) / "eval.md").write_text(
        f"Held-out accuracy per task after each stage (mean_verifiable: mean of {', '.join(HEADLINE)}).\n\n"
        + table(data) + "\n")
    plot(out, data)


def plot(out: Path, data: dict) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = data.get("stages", [])
    if not rows:
        return
    tasks = sorted({t for r in rows for t in r["accuracy"]})
    fig, ax = plt.subplots(figsize=(7, 4))
    x = list(range(len(rows)))
    for t in tasks:
        ax.plot(x, [r["accuracy"].get(t) for r in rows], marker="o", label=t)
    ax.plot(x, [r["mean_verifiable"] for r in rows], marker="s", color="black", linewidth=2.5,
            label="mean_verifiable")
    if "control" in data:
        ax.axhline(data["control"]["mean_verifiable"] or 0, color="grey", linestyle="--", label="SFT-only control")
    if "prior" in data:
        ax.axhline(data["prior"]["mean_verifiable"] or 0, color="grey", linestyle=":",
                   label="answer prior (mean_verifiable)")
    ax.set_xticks(x, [r["stage"] for r in rows])
    ax.set_ylim(0, 1)
    ax.set_ylabel("held-out accuracy")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(Path(out) / "eval.png", dpi=100)
    plt.close(fig)
