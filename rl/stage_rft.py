"""Stage `rft`: rejection-sampling fine-tuning. Sample k responses per prompt with the current
policy, keep prompts of useful difficulty and their correct responses, then SFT on them."""
from __future__ import annotations

import random

from rl.stage_sft import cold_start_split, settings_of, train_and_save
from rl.stages import StageError, console, stage_runner
from sft.rejection import select, write_outputs

SMOKE_PROMPTS, SMOKE_K = 4, 2


def sample_prompts(recipe, stage, pool: list) -> list:
    """`stage.prompts` prompts from the RL pool, drawn with a seed of their own per stage."""
    rng = random.Random(f"{recipe.seed}:{stage.name}")
    n = SMOKE_PROMPTS if recipe.smoke else stage.prompts
    return rng.sample(pool, min(n, len(pool)))


@stage_runner("rft")
def run_rft(recipe, stage, ctx) -> dict:
    from rewards.rm import make_reward_model
    from rl.engines import Sampling
    from rl.rewarding import RewardWorker
    from rl.rollout import RolloutGroup
    from rl.stage_rl import start_ray

    if "data_dir" not in ctx.state or "model_dir" not in ctx.state:
        raise StageError(f"stage {stage.name}: needs a `data` stage and a trained model before it")
    cold_pairs, pool = cold_start_split(recipe, ctx.state["data_dir"])
    pool = [it for it in pool if it.task in recipe.rewards.tasks and it.answer is not None]
    prompts = sample_prompts(recipe, stage, pool)
    if not prompts:
        raise StageError(f"stage {stage.name}: no prompts with a verifiable answer in the RL pool")
    start_ray()
    group = RolloutGroup(ctx.state["model_dir"], recipe.rollout, dtype=recipe.model.dtype)
    scorer = RewardWorker(recipe.rewards, make_reward_model(recipe, ctx.state))
    try:
        k = SMOKE_K if recipe.smoke else stage.k
        sampling = Sampling(recipe.rollout.temperature, recipe.rollout.top_p, recipe.rollout.max_tokens)
        batch = group.generate(prompts, n=k, sampling=sampling)
        results = scorer.score(batch.sample_items(), batch.texts)
    finally:
        group.close()
        scorer.close()
    pairs, stats = select(batch, results, stage.min_pass, stage.max_pass, stage.keep_per_prompt, stage.correct_at)
    summary = write_outputs(ctx.stage_dir / "rejection", pairs, stats)
    train = pairs + (cold_pairs if stage.mix_cold_start else [])
    if not train:   # nothing to learn from: the model goes on unchanged (ctx.state keeps its model_dir)
        console.print(f"[yellow]stage {stage.name}: rejection sampling kept no responses and "
                      f"mix_cold_start is off: no SFT, the model goes on unchanged (widen "
                      f"min_pass/max_pass or raise k)[/yellow]")
        return {"prompts": len(prompts), "kept_responses": 0, "by_task": summary, "steps": 0}
    sft = train_and_save(recipe, ctx, train, settings_of(recipe, stage))
    return {"prompts": len(prompts), "kept_responses": len(pairs), "by_task": summary, **sft}
