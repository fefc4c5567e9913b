"""The sections of a recipe, as strict typed models (unknown keys and wrong types are errors).

Each stage of a job is one entry of `stages`, told apart by `kind`. rl/config.py reads YAML into
`Recipe` and turns validation errors into one-line messages.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelConfig(Section):
    # "tiny:<preset>" builds a random-weight VLM in code (model/tiny.py); anything else is a local
    # HF model directory (e.g. a Qwen2.5-VL checkpoint). Nothing is ever downloaded.
    path: str = "tiny:small"
    seed: int = 0
    dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    freeze_vision: bool = False
    freeze_adapter: bool = False


class DifficultyConfig(Section):
    min_shapes: int = Field(1, ge=1)
    max_shapes: int = Field(5, ge=1)
    distractors: bool = True
    max_operand: int = Field(20, ge=1)
    min_frames: int = Field(4, ge=2)
    max_frames: int = Field(6, ge=2)

    @model_validator(mode="after")
    def _ranges(self):
        if self.min_shapes > self.max_shapes:
            raise ValueError(f"min_shapes ({self.min_shapes}) > max_shapes ({self.max_shapes})")
        if self.min_frames > self.max_frames:
            raise ValueError(f"min_frames ({self.min_frames}) > max_frames ({self.max_frames})")
        return self


TaskName = Literal["count", "grounding", "math", "choice", "chat", "temporal"]


class TasksConfig(Section):
    names: list[TaskName] = ["count", "grounding", "math", "choice", "chat", "temporal"]
    n_train: int = Field(2000, ge=1)    # items per task in the train split
    n_heldout: int = Field(100, ge=1)   # items per task in the held-out split
    seed: int = 0
    image_size: int = Field(112, ge=28)
    difficulty: DifficultyConfig = DifficultyConfig()


class FormatConfig(Section):
    mode: Literal["strict", "lenient"] = "strict"
    fail_reward: float = 0.0   # reward of a response that fails the <think> gate, whatever else


class TaskRewardConfig(Section):
    # reward source -> weight; a source is a registered verifier name, "pkg.module:function",
    # or "rm" (the reward model). An empty map with format_gate on is the gate alone.
    sources: dict[str, float] = {}
    format_gate: bool = True
    meta: dict[str, Any] = {}   # merged into each sample for its verifiers (e.g. iou_threshold)


class RewardsConfig(Section):
    format: FormatConfig = FormatConfig()
    tasks: dict[str, TaskRewardConfig] = {
        "count": TaskRewardConfig(sources={"count": 1.0}),
        "grounding": TaskRewardConfig(sources={"grounding": 1.0}),
        "math": TaskRewardConfig(sources={"math": 1.0}),
        "choice": TaskRewardConfig(sources={"choice": 1.0}),
        "temporal": TaskRewardConfig(sources={"math": 1.0}),
        "format": TaskRewardConfig(sources={}),
    }
    plugins: list[str] = []           # modules imported at start (their @verifier functions register)
    workers: int = Field(2, ge=1)     # verifier worker processes
    timeout_s: float = Field(2.0, gt=0)   # hard limit per check; a timed-out check scores 0


class DataStage(Section):
    """Generate the shapes-world suite (train + held-out JSONL and PNGs) into OUTPUT_DIR/data."""

    kind: Literal["data"]
    name: str = "data"


Stage = Annotated[Union[DataStage], Field(discriminator="kind")]


class Recipe(Section):
    output_dir: str = "runs/hybrid_rl"
    resume: bool = False   # continue the run in output_dir (finished stages are skipped)
    smoke: bool = False    # every stage runs a couple of steps on a handful of samples
    seed: int = 0
    model: ModelConfig = ModelConfig()
    tasks: TasksConfig = TasksConfig()
    rewards: RewardsConfig = RewardsConfig()
    stages: list[Stage] = [DataStage(kind="data")]

    @model_validator(mode="after")
    def _unique_stage_names(self):
        names = [s.name for s in self.stages]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"stage names must be unique; repeated: {', '.join(sorted(dup))}")
        return self
