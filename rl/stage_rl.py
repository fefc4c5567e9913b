"""Stage `rl`: the hybrid RL loop (rl/loop.py) with logging, evaluation, viewer and checkpoints."""
from __future__ import annotations

import os
import time
from pathlib import Path

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from rl.checkpoint import latest_checkpoint, save_checkpoint
from rl.loop import RayActorError, RLRun
from rl.stages import StageError, console, heldout_items, stage_runner, write_json
from rl.stage_sft import cold_start_split

SMOKE = {"steps": 2, "prompts_per_step": 2, "value_warmup_steps": 1}


def start_ray() -> None:
    import ray

    if not ray.is_initialized():
        env = {k: os.environ[k] for k in ("VLLM_ENABLE_V1_MULTIPROCESSING", "VLLM_CPU_KVCACHE_SPACE",
                                          "TOKENIZERS_PARALLELISM", "RAY_AUTH_MODE", "PYTHONPATH") if k in os.environ}
        if os.environ.get("RAY_ADDRESS"):   # join an existing cluster (docs/SCALING.md)
            ray.init(runtime_env={"env_vars": env}, log_to_driver=False)
        else:
            ray.init(num_cpus=max(2, os.cpu_count() or 2), include_dashboard=False, log_to_driver=False,
                     runtime_env={"env_vars": env})


def rl_items(recipe, stage, ctx) -> list:
    """The RL prompt pool: train items without cold-start traces, of tasks that have a reward."""
    if "data_dir" not in ctx.state:
        raise StageError(f"stage {stage.name}: needs a `data` stage before it")
    rewarded = set(recipe.rewards.tasks)
    wanted = set(stage.tasks or recipe.tasks.names) & rewarded
    pool = cold_start_split(recipe, ctx.state["data_dir"])[1]   # prompts without cold-start traces
    train = [it for it in pool if it.task in wanted]
    if not train:
        raise StageError(f"stage {stage.name}: no train prompts for tasks {sorted(wanted)} "
                         f"(a task needs an entry under rewards.tasks)")
    return train


@stage_runner("rl")
def run_rl(recipe, stage, ctx) -> dict:
    import ray

    if recipe.smoke:
        stage = stage.model_copy(update={k: v for k, v in SMOKE.items() if k in type(stage).model_fields})
    train = rl_items(recipe, stage, ctx)
    heldout = [it for it in heldout_items(recipe, ctx.state) if it.task in {t.task for t in train}]
    model_dir = ctx.state.get("model_dir") or str(_initial_model(recipe))
    start_ray()
    run = RLRun(recipe, stage, ctx.stage_dir, model_dir, train, heldout, ctx.state)
    try:
        evals, steps_done = _loop(run, stage, ctx.stage_dir)
        run.learner.call("save", str(Path(ctx.stage_dir) / "final"))
    finally:
        run.close()
    write_json(Path(ctx.stage_dir) / "eval.json", evals)
    ctx.state["model_dir"] = str(Path(ctx.stage_dir) / "final" / "policy")
    return {"steps": steps_done, "learner_restarts": run.learner.restarts,
            "rollout_restarts": run.rollouts.restarts, "evals": [(e["step"], e["mean_verifiable"]) for e in evals],
            "rm_trust": run.rm_trust}


def _initial_model(recipe):
    from model.load import resolve_model_path
    return resolve_model_path(recipe.model.path, seed=recipe.model.seed)


def _loop(run: RLRun, stage, stage_dir) -> list[dict]:
    from rl.viewer import write_viewer

    evals: list[dict] = []
    start_time = time.time()
    with Progress(TextColumn("[bold]rl"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TextColumn("{task.fields[info]}"), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("rl", total=stage.steps, completed=run.start_step, info="")
        step = run.start_step
        while step < stage.steps:
            if stage.max_seconds and time.time() - start_time > stage.max_seconds:
                console.print(f"rl: time budget of {stage.max_seconds} s spent after {step} steps")
                break
            try:
                out = run.step(step)
            except RayActorError as e:
                step = _recover(run, stage_dir, e)
                continue
            m = out["metrics"]
            if stage.eval_every and (step + 1) % stage.eval_every == 0 and step + 1 < stage.steps:
                ev = run.evaluate()
                evals.append({"step": step + 1, **ev})
                m.update({f"eval/{t}": a for t, a in ev["accuracy"].items()})
            run.metrics.log(step, m)
            if stage.viewer_every and step % stage.viewer_every == 0:
                write_viewer(Path(stage_dir) / "viewer" / f"step_{step:06d}.html", step, out["batch"],
                             out["results"], m)
            if (step + 1) % stage.checkpoint_every == 0 or step + 1 == stage.steps:
                save_checkpoint(stage_dir, step, lambda p: run.learner.call("save", p),
                                {"sampler": run.checkpoint_position(), "normaliser": run.normaliser.state()})
            bar.update(task, completed=step + 1, info=_info(m))
            step += 1
    return evals, step


def _recover(run: RLRun, stage_dir, error) -> int:
    """The learner died: re-create it from the last checkpoint; return the step to redo from."""
    from rl.checkpoint import load_loop_state

    ckpt = latest_checkpoint(stage_dir)
    if run.learner.restarts >= 3:
        raise StageError(f"rl: the learner died {run.learner.restarts + 1} times; last error: {error}")
    console.print(f"[yellow]rl: learner died ({type(error).__name__}); restarting from "
                  f"{ckpt.name if ckpt else 'the start'}[/yellow]")
    run.learner.restart(ckpt)
    run.discard_pending()
    if ckpt is None:
        run.sampler.seek({"epoch": 0, "offset": 0})
        run.normaliser.stats.clear()
        run.sync_weights()
        return 0
    state = load_loop_state(ckpt)
    run.sampler.seek(state["sampler"])
    run.normaliser.load_state(state["normaliser"])
    run.sync_weights()
    return state["step"] + 1


def _info(m: dict) -> str:
    parts = [f"reward {m.get('reward/mean', 0):.2f}", f"format {m.get('format_rate') or 0:.2f}",
             f"entropy {m.get('entropy', float('nan')):.2f}", f"kl {m.get('loss/kl', 0):.4f}"]
    return "  ".join(parts)

