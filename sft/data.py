"""SFT examples for the VL model: prompt + images + target, loss only on the assistant's tokens.

An example is the processor's output for the full conversation (prompt, then the target and
`<|im_end|>`), with labels = -100 on the prompt, so the model learns the response and where to
stop. `collate` pads a list of examples into one batch for a Qwen2-VL forward pass.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from model.prompts import load_images, prompt_text

IGNORE = -100
END = "<|im_end|>"


@dataclass
class Example:
    input_ids: torch.Tensor          # [T] prompt + target + <|im_end|>
    labels: torch.Tensor             # [T] -100 on the prompt
    mm_token_type_ids: torch.Tensor  # [T] 1 on image tokens (Qwen2-VL's forward wants it)
    pixel_values: torch.Tensor       # [patches, patch_dim] all images of the example
    image_grid_thw: torch.Tensor     # [images, 3]


def make_example(processor, item, target: str, max_len: int | None = None) -> Example:
    """Tokenise one (item, target) pair; the prompt part of labels is masked."""
    images = load_images(item)
    prompt = prompt_text(processor, item)
    full = processor(text=[prompt + target + END], images=images or None, return_tensors="pt")
    # the prompt ends with "assistant\n", where the pre-tokenizer splits: the target's tokens are
    # the same whether tokenised alone or after the prompt
    n_target = len(processor.tokenizer(target + END, add_special_tokens=False)["input_ids"])
    ids = full["input_ids"][0]
    n_prompt = len(ids) - n_target
    if max_len is not None and len(ids) > max_len:
        raise ValueError(f"item {getattr(item, 'id', '?')!r}: {len(ids)} tokens exceed max_len {max_len}")
    labels = ids.clone()
    labels[:n_prompt] = IGNORE
    mm = full.get("mm_token_type_ids")
    return Example(
        input_ids=ids, labels=labels,
        mm_token_type_ids=mm[0] if mm is not None else torch.zeros_like(ids),
        pixel_values=full.get("pixel_values", torch.zeros(0)),
        image_grid_thw=full.get("image_grid_thw", torch.zeros(0, 3, dtype=torch.long)),
    )


def collate(examples: list[Example], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pad into a batch: input_ids/labels/attention_mask/mm_token_type_ids [B, T_max]."""
    width = max(len(e.input_ids) for e in examples)

    def pad(rows, value):
        out = torch.full((len(rows), width), value, dtype=torch.long)
        for i, row in enumerate(rows):
            out[i, : len(row)] = row
        return out

    batch = {
        "input_ids": pad([e.input_ids for e in examples], pad_id),
        "labels": pad([e.labels for e in examples], IGNORE),
        "attention_mask": pad([torch.ones_like(e.input_ids) for e in examples], 0),
        "mm_token_type_ids": pad([e.mm_token_type_ids for e in examples], 0),
    }
    with_images = [e for e in examples if len(e.image_grid_thw)]
    if with_images:
        batch["pixel_values"] = torch.cat([e.pixel_values for e in with_images])
        batch["image_grid_thw"] = torch.cat([e.image_grid_thw for e in with_images])
    return batch
