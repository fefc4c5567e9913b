"""SFT examples for the VL model: prompt + images + target, loss only on the assistant's tokens.

An example is the processor's output for the full conversation (prompt, then the target and
`<|im_end|>`), with labels = -100 on the prompt, so the model learns the response and where to
stop. An item with `turns` ([[question, answer], ...]) continues the conversation: each follow-up
question is a user turn, each answer an assistant turn, and every answer is learnt (several
questions about one image in one sequence). `collate` pads a list of examples into one batch for
a Qwen2-VL forward pass.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from model.prompts import build_messages, item_field, load_images, prompt_text

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
    """Tokenise one (item, target) pair (and the item's follow-up `turns`); only the answers and
    their `<|im_end|>` are learnt, the rest of labels is masked."""
    images = load_images(item)
    text, spans = conversation(processor, item, target)
    full = processor(text=[text], images=images or None, return_tensors="pt")
    ids = full["input_ids"][0]
    if max_len is not None and len(ids) > max_len:
        raise ValueError(f"item {getattr(item, 'id', '?')!r}: {len(ids)} tokens exceed max_len {max_len}")
    # every answer comes after the images, whose placeholders the processor expands: shift by that
    # many tokens. Each answer starts after "assistant\n", where the pre-tokenizer splits, and ends
    # in the special <|im_end|>, so a prefix of the text tokenises to a prefix of the tokens.
    tok = processor.tokenizer
    count = lambda t: len(tok(t, add_special_tokens=False)["input_ids"])   # noqa: E731
    shift = len(ids) - count(text)
    labels = torch.full_like(ids, IGNORE)
    for start, end in spans:
        a, b = count(text[:start]) + shift, count(text[:end]) + shift
        labels[a:b] = ids[a:b]
    mm = full.get("mm_token_type_ids")
    return Example(
        input_ids=ids, labels=labels,
        mm_token_type_ids=mm[0] if mm is not None else torch.zeros_like(ids),
        pixel_values=full.get("pixel_values", torch.zeros(0)),
        image_grid_thw=full.get("image_grid_thw", torch.zeros(0, 3, dtype=torch.long)),
    )


def conversation(processor, item, target: str) -> tuple[str, list[tuple[int, int]]]:
    """(the chat text, (start, end) character spans of each answer + <|im_end|>) of an item's
    prompt and target, then its follow-up `turns`, rendered by the model's own chat template."""
    text = prompt_text(processor, item)
    spans = [(len(text), len(text) + len(target) + len(END))]
    text += target + END
    messages = build_messages(item, target)
    for n, turn in enumerate(item_field(item, "turns") or []):
        if not (isinstance(turn, (list, tuple)) and len(turn) == 2 and all(isinstance(x, str) for x in turn)):
            raise ValueError(f"item {item_field(item, 'id')!r}: turns[{n}] must be [question, answer] strings")
        question, answer = turn
        messages.append({"role": "user", "content": [{"type": "text", "text": question}]})
        head = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        if not head.startswith(text):
            raise ValueError("the chat template renders a follow-up turn by changing the text before it")
        text = head
        spans.append((len(text), len(text) + len(answer) + len(END)))
        text += answer + END
        messages.append({"role": "assistant", "content": [{"type": "text", "text": answer}]})
    return text, spans


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
