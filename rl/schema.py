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


ColourName = Literal["red", "green", "blue", "yellow", "purple", "orange"]
ShapeName = Literal["circle", "square", "triangle", "star"]
MathKind = Literal["add", "sub", "mul", "mixed", "linear", "fraction"]


class DifficultyConfig(Section):
    """The shapes world's curriculum knobs (tasks.Difficulty)."""

    min_shapes: int = Field(1, ge=1)
    max_shapes: int = Field(5, ge=1)
    distractors: int = Field(0, ge=0)     # shapes sharing one attribute with the asked-about one
    colours: list[ColourName] = ["red", "green", "blue", "yellow", "purple", "orange"]
    shapes: list[ShapeName] = ["circle", "square", "triangle", "star"]
    min_size: float = Field(0.14, gt=0, lt=1)   # shape side / shorter image side
    max_size: float = Field(0.28, gt=0, lt=1)
    math_max: int = Field(10, ge=1)       # operands drawn from 1..math_max
    math_kinds: list[MathKind] = ["add", "sub", "mul", "mixed", "linear", "fraction"]
    min_frames: int = Field(4, ge=2)
    max_frames: int = Field(8, ge=2)
    fps: float = Field(1.0, gt=0)

    @model_validator(mode="after")
    def _ranges(self):
        for lo, hi in (("min_shapes", "max_shapes"), ("min_frames", "max_frames"), ("min_size", "max_size")):
            if getattr(self, lo) > getattr(self, hi):
                raise ValueError(f"{lo} ({getattr(self, lo)}) > {hi} ({getattr(self, hi)})")
        for name in ("colours", "shapes", "math_kinds"):
            if not getattr(self, name):
                raise ValueError(f"{name} must not be empty")
        return self


TaskName = Literal["count", "grounding", "math", "choice", "chat", "temporal"]


class ColdStartConfig(Section):
    """The cold-start SFT set (tasks/cold_start.py): a few traces per task, some of them wrong."""

    n_per_task: int = Field(300, ge=0)
    wrong_rate: float = Field(0.2, ge=0, le=1)    # share of traces with a wrong final answer
    sloppy_rate: float = Field(0.2, ge=0, le=1)   # share with a cut-short thought
    short_rate: float = Field(0.0, ge=0, le=1)    # share of the clean ones in a short style: one sentence,
                                                  #   choice answered with the option's text (tasks/cold_start.py)


class TasksConfig(Section):
    names: list[TaskName] = ["count", "grounding", "math", "choice", "chat", "temporal"]
    n_train: int = Field(2000, ge=1)    # items per task in the train split
    n_heldout: int = Field(100, ge=1)   # items per task in the held-out split
    seed: int = 0
    image_size: int = Field(112, ge=28)
    difficulty: DifficultyConfig = DifficultyConfig()
    cold_start: ColdStartConfig = ColdStartConfig()


class FormatConfig(Section):
    mode: Literal["strict", "lenient"] = "strict"
    fail_reward: float = 0.0   # reward of a response that fails the <think> gate, whatever else


class TaskRewardConfig(Section):
    # reward source -> weight; a source is a registered verifier name, "pkg.module:function",
    # or "rm" (the reward model). An empty map with format_gate on is the gate alone.
    sources: dict[str, float] = {}
    format_gate: bool = True
    meta: dict[str, Any] = {}   # merged into each sample for its verifiers (e.g. iou_threshold)
    # merged over `meta` for the RL stages' training rewards only (e.g. grounding's dense
    # `{iou_mode: iou}`); held-out evaluation and rejection sampling keep `meta`
    train_meta: dict[str, Any] = {}

    def for_training(self) -> "TaskRewardConfig":
        return self.model_copy(update={"meta": {**self.meta, **self.train_meta}}) if self.train_meta else self


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
    workers: int = Field(2, ge=0)     # verifier worker processes; 0 = in-process, no time limit (debugging)
    timeout_s: float = Field(2.0, gt=0)   # hard limit per check; a timed-out check scores 0


class RolloutConfig(Section):
    """Generation in Ray actors (rl/rollout.py); weights synced in place after updates (rl/sync.py)."""

    engine: Literal["vllm", "hf"] = "vllm"   # hf: transformers generate, where vLLM is unavailable
    workers: int = Field(1, ge=1)            # data-parallel actors; each batch is split over them
    cpus_per_worker: float = Field(1, gt=0)
    gpus_per_worker: float = Field(0, ge=0)
    n: int = Field(4, ge=1)                  # samples per prompt (the group of a group baseline)
    temperature: float = Field(1.0, ge=0)    # 0 = greedy
    top_p: float = Field(1.0, gt=0, le=1)
    max_tokens: int = Field(64, ge=1)        # generated tokens per sample
    max_model_len: int = Field(1024, ge=16)  # context (prompt + response) of the engine
    max_images: int = Field(8, ge=1)         # images (video frames) per prompt
    kv_cache_gib: int = Field(1, ge=1)       # vLLM KV cache (CPU: VLLM_CPU_KVCACHE_SPACE)
    long_prompts: Literal["error", "skip"] = "error"   # skip: dropped, listed in Rollout.skipped
    max_restarts: int = Field(2, ge=0)       # Ray re-creates a dead worker (latest weights re-loaded)
    seed: int = 0
    # The engines' weights; null: model.dtype; auto: bfloat16 on GPU workers and on a CPU with bf16 in
    # hardware (model/load.py native_bf16), else model.dtype. bfloat16 generates 1.3x faster on a bf16
    # CPU, and its log-probs stay within 0.07 of the learner's bf16-autocast ones (docs/PERFORMANCE.md).
    dtype: Literal["float32", "bfloat16", "float16", "auto"] | None = None


class PPOConfig(Section):
    """The PPO variant (rl/ppo.py, rl/learner.py): shared critic, per-task KL, clip-higher."""

    estimator: Literal["gae", "grpo", "rloo"] = "gae"   # gae = the shared critic's values
    critic: bool | None = None               # train the shared critic; null: only with gae (grpo / rloo
                                             #   skip its passes; true keeps it learning for comparison)
    lr: float = Field(1e-4, gt=0)            # policy
    critic_lr: float = Field(3e-4, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    warmup_steps: int = Field(5, ge=0)       # policy LR warm-up, in updates
    share_images: bool = True                # vision tower once per distinct image (model/shared_images.py)
    share_prefix: bool = True                # each prompt computed once for its n samples (model/prefix.py)
    values_in_update: bool = True            # the critic's values from its first update pass (no forward of their own)
    attention: str | None = "auto"           # the learner's attention kernel (transformers name); auto: eager on CPU,
                                             #   the model's own (SDPA) on GPU; null: the model's own
    autocast: Literal["bf16", "auto"] | None = None  # bf16 matmuls in the learner's passes (fp32 weights);
                                             #   auto: bf16 where the hardware has it (model/load.py)
    vision_lr_mult: float = Field(1.0, gt=0)   # the policy's vision tower + adapter train at lr x this
    grad_clip: float = Field(1.0, gt=0)
    epochs: int = Field(1, ge=1)             # passes over each batch
    minibatches: int = Field(2, ge=1)        # optimiser steps per epoch (each on a share of the batch)
    micro_batch_size: int = Field(32, ge=1)  # samples per forward/backward (gradient accumulation)
    eps_low: float = Field(0.2, gt=0, lt=1)
    eps_high: float = Field(0.28, gt=0)      # clip-higher: more room for raising unlikely tokens
    dual_clip: float | None = Field(3.0, gt=1)
    value_clip: float | None = Field(0.2, gt=0)
    gamma: float = Field(1.0, gt=0, le=1)
    lam_critic: float = Field(1.0, ge=0, le=1)
    lam_policy: float | Literal["adaptive"] = "adaptive"   # 1 - 1/(lam_alpha * length)
    lam_alpha: float = Field(0.05, gt=0)
    kl_mode: Literal["loss", "reward", "none"] = "loss"
    kl_kind: Literal["k1", "k2", "k3"] = "k3"
    # KL coefficient per task; "default" for tasks not listed. The report uses different KL for
    # RLHF (reward-model) and RLVR (verifier) samples.
    kl_coef: dict[str, float] = {"default": 0.001, "chat": 0.01}
    entropy_coef: float = Field(0.0, ge=0)
    normalize_rewards: bool = True           # running mean/std per reward source
    dynamic_sampling: bool = False           # drop prompt groups whose samples all scored the same
    learner_gpus: float = Field(0, ge=0)     # GPUs of each learner actor (it uses CUDA when it has one)
    learner_workers: int = Field(1, ge=1)    # learner actors sharing each step with FSDP (rl/distributed.py)

    @property
    def trains_critic(self) -> bool:
        return self.critic if self.critic is not None else self.estimator == "gae"

    @model_validator(mode="after")
    def _critic_for_gae(self):
        if self.estimator == "gae" and self.critic is False:
            raise ValueError("ppo.critic: false needs a critic-free ppo.estimator (grpo or rloo); "
                             "gae takes its values from the critic")
        return self

    @model_validator(mode="after")
    def _kl_default(self):
        if "default" not in self.kl_coef:
            raise ValueError("kl_coef needs a 'default' entry (used for tasks not listed)")
        return self


class DataStage(Section):
    """Generate the shapes-world suite (train + held-out JSONL and PNGs) into OUTPUT_DIR/data."""

    kind: Literal["data"]
    name: str = "data"


class SFTParams(Section):
    """Supervised fine-tuning settings (sft/trainer.py), shared by the sft and rft stages."""

    steps: int = Field(300, ge=1)
    batch_size: int = Field(32, ge=1)
    lr: float = Field(1e-3, gt=0)
    warmup_steps: int = Field(20, ge=0)
    weight_decay: float = Field(0.0, ge=0)
    grad_clip: float = Field(1.0, gt=0)
    max_seconds: float | None = Field(None, gt=0)   # wall-clock budget; stops early when spent
    autocast: Literal["bf16", "auto"] | None = None  # bf16 matmuls (fp32 weights and optimiser); auto: where
                                                    #   the hardware has bf16 (model/load.py native_bf16)
    vision_lr_mult: float = Field(1.0, gt=0)        # the vision tower + adapter train at lr x this


class SFTStage(SFTParams):
    """Supervised fine-tuning of the full VL model: on the cold-start set (tasks.cold_start, scarce
    and imperfect, as in the report), on every train item's clean trace (`data: all`), or on short
    captions of fresh images (`data: captions`, tasks/captions.py) or one-word answers to visual
    questions about them (`data: vqa`, tasks/vqa.py): perception pre-training; or on text-only
    option lookups and tallies (`data: text`, tasks/text_skills.py): language pre-training."""

    kind: Literal["sft"]
    name: str = "sft"
    data: Literal["cold_start", "all", "captions", "vqa", "text"] = "cold_start"
    n_captions: int = Field(4000, ge=1)   # data: captions: images captioned
    n_vqa: int = Field(4000, ge=1)        # data: vqa: images asked about
    questions_per_image: int = Field(1, ge=1)   # data: vqa: questions about each, in one conversation
    vqa_think: bool = False               # data: vqa: answers as <think>{one sentence}</think>{word}
    n_text: int = Field(4000, ge=1)       # data: text: conversations
    questions_per_text: int = Field(4, ge=1)   # data: text: questions in each
    tasks: list[TaskName] | None = None   # None: every task of the suite

    @property
    def pretraining(self) -> bool:
        """Perception or language pre-training: no task policy yet (not evaluated, never the cold start)."""
        return self.data in ("captions", "vqa", "text")


class RFTStage(SFTParams):
    """Rejection-sampling fine-tuning (sft/rejection.py): k samples per prompt from the current
    policy, pass rate = difficulty, keep prompts inside the band, keep correct responses, SFT."""

    kind: Literal["rft"]
    name: str = "rft"
    prompts: int = Field(512, ge=1)          # prompts drawn from the RL pool
    k: int = Field(8, ge=1)                  # samples per prompt
    min_pass: float = Field(0.01, ge=0, le=1)   # drop hopeless prompts (pass rate below)
    max_pass: float = Field(0.99, ge=0, le=1)   # drop trivial prompts (pass rate above)
    keep_per_prompt: int = Field(2, ge=1)    # distinct correct responses kept per prompt
    correct_at: float = Field(1.0, gt=0)     # a response is correct when its reward >= this
    mix_cold_start: bool = True              # train on the new set plus the cold-start traces

    @model_validator(mode="after")
    def _band(self):
        if self.min_pass > self.max_pass:
            raise ValueError(f"min_pass ({self.min_pass}) > max_pass ({self.max_pass})")
        return self


class RLStage(Section):
    """Hybrid RL: generate -> reward -> reference log-probs and values -> PPO -> weight sync."""

    kind: Literal["rl"]
    name: str = "rl"
    steps: int = Field(60, ge=1)
    prompts_per_step: int = Field(16, ge=1)     # x rollout.n samples per step
    tasks: list[TaskName] | None = None          # None: every task of the suite with a reward
    value_warmup_steps: int = Field(3, ge=0)     # critic-only steps before the policy moves
    eval_every: int = Field(20, ge=0)            # held-out evaluation every N steps (0: off)
    checkpoint_every: int = Field(10, ge=1)
    viewer_every: int = Field(10, ge=0)          # HTML rollout page every N steps (0: off)
    max_seconds: float | None = Field(None, gt=0)
    overlap: bool = False   # generate the next batch during the update (one step off-policy)


class VisionStage(Section):
    """Vision pre-training (sft/vision.py): the vision tower + adapter learn, from fresh shapes-world
    scenes, which colour and shape kind covers each image token; the language model is untouched."""

    kind: Literal["vision"]
    name: str = "vision"
    steps: int = Field(600, ge=1)         # shape kind per token: 0.51 right after 250 steps, 0.84 after 600
    batch_size: int = Field(32, ge=1)     # images per step
    lr: float = Field(1e-3, gt=0)
    grad_clip: float = Field(1.0, gt=0)
    autocast: Literal["bf16", "auto"] | None = None
    word_align: float = Field(0.0, ge=0)  # pull each token towards its colour + shape words' embeddings
    target: Literal["shares", "centre"] = "shares"   # per-token labels: pixel shares, or the shape centred there


class RMStage(Section):
    """Train the scalar reward model (rewards/rm_train.py): Bradley-Terry on preference pairs generated
    from the suite's `chat` items (rewards/preferences.py); held-out pairwise accuracy -> eval.json."""

    kind: Literal["rm"]
    name: str = "rm"
    steps: int = Field(200, ge=1)
    batch_size: int = Field(16, ge=1)            # pairs per step
    micro_batch_size: int = Field(8, ge=1)       # pairs per forward/backward (gradient accumulation)
    lr: float = Field(3e-4, gt=0)
    warmup_steps: int = Field(10, ge=0)
    weight_decay: float = Field(0.0, ge=0)
    grad_clip: float = Field(1.0, gt=0)
    pool: Literal["last", "mean", "sum"] = "mean"  # score = the value at the last token, or the mean/sum of the response's token values
    head: Literal["linear", "match"] = "linear"    # "match": + each word's match against the image tokens (model/value.py ImageMatch)
    match_window: int = Field(1, ge=1)           # the match head's phrases: a token and the window - 1 before it
    tally: int = Field(0, ge=0)                  # + this many learned tallies over the response (model/value.py Tally):
                                                 #   does a stated count agree with the shapes listed
    head_lr_mult: float = Field(1.0, gt=0)       # the head(s) at lr x this
    freeze_backbone: bool = False                # train the head(s) only, on backbone features computed once
    vision: Literal["current", "pretrained"] = "current"   # the RM's vision tower + adapter: the starting model's,
                                                 # or as the `vision` stage left them (before the LLM stages moved them)
    schedule: Literal["constant", "cosine"] = "constant"   # the LR after warm-up
    n_pairs: int = Field(2000, ge=1)             # train pairs (from the train split's chat items)
    n_heldout_pairs: int = Field(200, ge=1)      # held-out pairs (from the held-out split)
    off_task_rate: float = Field(0.0, ge=0, le=1)  # train pairs whose rejected answer is no description
    max_seconds: float | None = Field(None, gt=0)
    autocast: Literal["bf16", "auto"] | None = None  # bf16 matmuls in training (fp32 weights); auto: where
                                                  #   the hardware has bf16 (model/load.py native_bf16)
    vision_lr_mult: float = Field(1.0, gt=0)     # vision tower + adapter at lr x this


Stage = Annotated[Union[DataStage, VisionStage, SFTStage, RFTStage, RLStage, RMStage], Field(discriminator="kind")]


class EvalConfig(Section):
    between_stages: bool = True               # held-out accuracy after every model stage (eval.json)
    max_items_per_task: int | None = Field(None, ge=1)   # None: the whole held-out split
    # > 1 lowers the greedy score of tokens already in the prompt or answer (CTRL-style, as vLLM and
    # HF generate do). 1.0: plain greedy. RL-trained tiny policies loop greedily ("top top top ...")
    # where their samples do not; 1.2 lifts full31's rl2 from 0.0675 to 0.2175 (docs/PERFORMANCE.md).
    repetition_penalty: float = Field(1.0, gt=0)


class JudgeConfig(Section):
    """The generative judge (rewards/judge.py): a VLM shown the image(s), the prompt and the solution."""

    model: str = "tiny:small"                    # "tiny:<preset>" or a local HF VLM directory
    seed: int = 0
    mode: Literal["pointwise", "expected", "pairwise"] = "expected"   # expected: score from log-probs
    template: str | None = None                  # prompt template file; None: rewards/templates/<mode>.txt
    reference_template: str | None = None        # used when a sample has a reference answer
    engine: Literal["vllm", "hf"] = "vllm"
    dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    max_tokens: int = Field(32, ge=1)            # generated tokens per verdict (pointwise, pairwise)
    max_model_len: int = Field(2048, ge=16)
    max_images: int = Field(8, ge=1)
    kv_cache_gib: int = Field(1, ge=1)
    unparsed_score: float | None = 0.5           # 0..1 reward when the verdict cannot be read; None: n/a


class RewardModelConfig(Section):
    """Reward models named as sources in rewards.tasks: "rm" (scalar RM), "judge" (generative judge)."""

    path: str | None = None                      # a trained scalar RM dir; None: the rm stage's output
    batch_size: int = Field(16, ge=1)            # samples per scalar-RM forward pass
    # How much RL trusts the scalar RM: its tasks' normalised rewards are scaled by this. "auto":
    # 2 * accuracy - 1 (clipped to [0, 1]) from the held-out pairwise accuracy its `rm` stage
    # recorded, so an RM no better than chance does not steer the shared policy (docs/RL.md).
    trust: Union[Literal["auto"], Annotated[float, Field(ge=0.0, le=1.0)]] = 1.0
    judge: JudgeConfig = JudgeConfig()


class Recipe(Section):
    output_dir: str = "runs/hybrid_rl"
    resume: bool = False   # continue the run in output_dir (finished stages are skipped)
    smoke: bool = False    # every stage runs a couple of steps on a handful of samples
    control: bool = False  # also train SFT-only from the cold-start checkpoint for the same time
    seed: int = 0
    model: ModelConfig = ModelConfig()
    tasks: TasksConfig = TasksConfig()
    rewards: RewardsConfig = RewardsConfig()
    reward_model: RewardModelConfig = RewardModelConfig()
    rollout: RolloutConfig = RolloutConfig()
    ppo: PPOConfig = PPOConfig()
    eval: EvalConfig = EvalConfig()
    stages: list[Stage] = [DataStage(kind="data")]

    @model_validator(mode="after")
    def _unique_stage_names(self):
        names = [s.name for s in self.stages]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"stage names must be unique; repeated: {', '.join(sorted(dup))}")
        return self
