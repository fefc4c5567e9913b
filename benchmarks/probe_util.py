"""What the teacher-forced probes (choice_probe.py, count_probe.py) share: a model's greedy
continuation of, and its next word after, an item's prompt plus a forced prefix of the response."""
from __future__ import annotations

import torch

from model.prompts import load_images, prompt_text


class Prober:
    def __init__(self, model, processor):
        self.model, self.processor, self.tok = model, processor, processor.tokenizer

    def inputs(self, item, suffix: str) -> dict:
        text = prompt_text(self.processor, item) + suffix
        return self.processor(text=[text], images=load_images(item, item.image_root), return_tensors="pt")

    def next_word(self, item, suffix: str) -> str:
        """The argmax next token after prompt + suffix, decoded and stripped."""
        with torch.no_grad():
            logits = self.model(**self.inputs(item, suffix)).logits[0, -1]
        return self.tok.decode([int(logits.argmax())]).strip()

    def greedy(self, item, suffix: str = "", max_new_tokens: int = 48) -> str:
        """The greedy continuation of prompt + suffix (without the suffix)."""
        b = self.inputs(item, suffix)
        with torch.no_grad():
            out = self.model.generate(**b, max_new_tokens=max_new_tokens, do_sample=False)
        return self.tok.decode(out[0, b["input_ids"].shape[1]:], skip_special_tokens=True)
