"""The typed batch that travels the whole RL step: rollout -> rewards -> learner.

A `Rollout` holds B samples generated from P prompts (`items`), n per prompt, group-contiguous.
Per-sample sequences are ragged (1-D tensors); `to_padded` makes the learner's [B, T] tensors and
`model_inputs` adds the vision inputs rebuilt from the items (model/prompts.py), so that the
learner's forward sees exactly the tokens and images the engine saw.

Alignment used everywhere: position t of `input_ids` holds token x_t, and `old_logprobs[b, t]` is
log p(x_t | x_<t) for response positions (0 elsewhere); `token_logprobs` returns the learner's
log-probs in the same layout, so a PPO ratio is `exp(new - old)` under `response_mask`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import torch

from model.prompts import item_field, load_images


@dataclass
class Rollout:
    items: list[Any]                   # P task items (TaskItem or dict): prompts, images, answers
    group: torch.Tensor                # [B] int64: index into `items` of each sample's prompt
    sample_ids: list[str]              # B: "<item id>#<k>", k = 0..n-1
    tasks: list[str]                   # B: task name of each sample
    prompt_ids: list[torch.Tensor]     # B x [P_b] int64: prompt tokens, image placeholders expanded
    response_ids: list[torch.Tensor]   # B x [R_b] int64: sampled tokens (the stop token included)
    logprobs: list[torch.Tensor]       # B x [R_b] float32: sampling log-prob of each response token
    texts: list[str]                   # B: decoded responses, special tokens skipped (vLLM holds
                                       #    back a trailing incomplete UTF-8 character)
    finish_reasons: list[str]          # B: "stop" (a stop token) | "length" (max_tokens / context)
    policy_version: int = 0            # version of the weights that generated it (rl/sync.py)
    skipped: list[str] = field(default_factory=list)  # ids of items skipped (prompt too long)

    def __len__(self) -> int:
        return len(self.sample_ids)

    def __post_init__(self):
        b = len(self.sample_ids)
        for f in ("tasks", "prompt_ids", "response_ids", "logprobs", "texts", "finish_reasons"):
            if len(getattr(self, f)) != b:
                raise ValueError(f"Rollout.{f} has {len(getattr(self, f))} entries, sample_ids has {b}")
        if self.group.shape != (b,):
            raise ValueError(f"Rollout.group must have shape ({b},), got {tuple(self.group.shape)}")
        for i, (r, lp) in enumerate(zip(self.response_ids, self.logprobs)):
            if r.shape != lp.shape:
                raise ValueError(f"sample {self.sample_ids[i]!r}: {r.numel()} response tokens but "
                                 f"{lp.numel()} log-probs")

    @property
    def response_lengths(self) -> torch.Tensor:  # [B] int64
        return torch.tensor([r.numel() for r in self.response_ids], dtype=torch.long)

    def sample_items(self) -> list[Any]:
        """The task item of every sample (B entries)."""
        return [self.items[g] for g in self.group.tolist()]

    def select(self, groups: list[int]) -> "Rollout":
        """The samples of the given prompts (indices into `items`), renumbered; keeps `skipped`."""
        new_index = {g: j for j, g in enumerate(groups)}
        keep = [i for i, g in enumerate(self.group.tolist()) if g in new_index]
        return Rollout(
            items=[self.items[g] for g in groups],
            group=torch.tensor([new_index[int(self.group[i])] for i in keep], dtype=torch.long),
            **{f: [getattr(self, f)[i] for i in keep] for f in PER_SAMPLE},
            policy_version=self.policy_version, skipped=list(self.skipped))

    def split(self, parts: int) -> list["Rollout"]:
        """Split by prompt into `parts` nearly equal, contiguous pieces (groups never straddle)."""
        bounds = [round(k * len(self.items) / parts) for k in range(parts + 1)]
        return [self.select(list(range(a, b))) for a, b in zip(bounds, bounds[1:])]

    @staticmethod
    def concat(batches: list["Rollout"]) -> "Rollout":
        """One batch of several (their prompts appended in order; group indices shifted)."""
        if not batches:
            raise ValueError("Rollout.concat needs at least one batch")
        versions = {b.policy_version for b in batches}
        if len(versions) > 1:
            raise ValueError(f"cannot concat batches from different weight versions {sorted(versions)}")
        offsets, total = [], 0
        for b in batches:
            offsets.append(total)
            total += len(b.items)
        return Rollout(
            items=[it for b in batches for it in b.items],
            group=torch.cat([b.group + off for b, off in zip(batches, offsets)]),
            **{f: [x for b in batches for x in getattr(b, f)] for f in PER_SAMPLE},
            policy_version=batches[0].policy_version,
            skipped=[s for b in batches for s in b.skipped])

    def to_padded(self, pad_id: int = 0) -> "PaddedBatch":
        """Right-padded [B, T] tensors of prompt + response for the learner (T = longest sample)."""
        lengths = [p.numel() + r.numel() for p, r in zip(self.prompt_ids, self.response_ids)]
        B, T = len(self), max(lengths, default=0)
        input_ids = torch.full((B, T), pad_id, dtype=torch.long)
        attention_mask = torch.zeros(B, T, dtype=torch.long)
        response_mask = torch.zeros(B, T, dtype=torch.float32)
        old_logprobs = torch.zeros(B, T, dtype=torch.float32)
        for b, (p, r, lp) in enumerate(zip(self.prompt_ids, self.response_ids, self.logprobs)):
            n_p, n = p.numel(), lengths[b]
            input_ids[b, :n] = torch.cat([p, r])
            attention_mask[b, :n] = 1
            response_mask[b, n_p:n] = 1
            old_logprobs[b, n_p:n] = lp
        return PaddedBatch(input_ids, attention_mask, response_mask, old_logprobs)

    def model_inputs(self, processor, pad_id: int | None = None) -> "ModelInputs":
        """`to_padded` plus the images of every sample, processed as the engine saw them."""
        pad = processor.tokenizer.pad_token_id if pad_id is None else pad_id
        padded = self.to_padded(pad)
        images = [img for item in self.sample_items() for img in load_images(item)]
        pixel_values = image_grid_thw = None
        if images:
            vision = processor.image_processor(images=images, return_tensors="pt")
            pixel_values, image_grid_thw = vision["pixel_values"], vision["image_grid_thw"]
        mm_types = torch.zeros_like(padded.input_ids)  # responses and padding are text
        for b, types in enumerate(processor.create_mm_token_type_ids([p.tolist() for p in self.prompt_ids])):
            mm_types[b, :len(types)] = torch.tensor(types)
        return ModelInputs(**{f.name: getattr(padded, f.name) for f in fields(padded)},
                           pixel_values=pixel_values, image_grid_thw=image_grid_thw,
                           mm_token_type_ids=mm_types)


PER_SAMPLE = ("sample_ids", "tasks", "prompt_ids", "response_ids", "logprobs", "texts", "finish_reasons")


@dataclass
class PaddedBatch:
    input_ids: torch.Tensor        # [B, T] int64: prompt then response, right-padded with pad_id
    attention_mask: torch.Tensor   # [B, T] int64: 1 on real tokens
    response_mask: torch.Tensor    # [B, T] float32: 1 on response tokens
    old_logprobs: torch.Tensor     # [B, T] float32: log p(x_t | x_<t) at response positions, else 0


@dataclass
class ModelInputs(PaddedBatch):
    pixel_values: torch.Tensor | None = None      # [N_patches, D] float32: every sample's images
    image_grid_thw: torch.Tensor | None = None    # [N_images, 3] int64
    mm_token_type_ids: torch.Tensor | None = None  # [B, T] int64: 1 image token, 2 video, 0 text
    group: torch.Tensor | None = None              # [B] int64: rows sharing a prompt (prefix sharing)

    def forward_kwargs(self) -> dict[str, torch.Tensor]:
        """Keyword arguments of the HF VLM's forward (Qwen2-VL needs mm_token_type_ids for M-RoPE)."""
        kw = {"input_ids": self.input_ids, "attention_mask": self.attention_mask}
        if self.pixel_values is not None:
            kw.update(pixel_values=self.pixel_values, image_grid_thw=self.image_grid_thw,
                      mm_token_type_ids=self.mm_token_type_ids)
        return kw


def token_logprobs(model, inputs: ModelInputs) -> torch.Tensor:
    """[B, T] log p(x_t | x_<t) under `model` at response positions (0 elsewhere), aligned with
    `old_logprobs`. Gradients flow when called outside `torch.no_grad`."""
    logits = model(**inputs.forward_kwargs()).logits[:, :-1].float()   # [B, T-1, V]: x_1 .. x_{T-1}
    picked = logits.gather(-1, inputs.input_ids[:, 1:, None])[..., 0] - logits.logsumexp(-1)
    out = torch.zeros_like(inputs.old_logprobs)
    out[:, 1:] = picked
    return out * inputs.response_mask


def item_id(item: Any) -> str:
    return str(item_field(item, "id"))
