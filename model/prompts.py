"""One way to turn a task item into chat messages, prompt text and images, shared by rollout, SFT,
evaluation and the reward model (so that every part sees the same prompt).

A multi-frame item (the `temporal` task, or any item with `timestamps`) is shown as its frames in
order, each preceded by its timestamp text (`[1.0 second]`), as in the report.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

SYSTEM = "Reply as <think>reasoning</think>answer."   # short: every token costs on CPU


def item_field(item: Any, name: str, default=None):
    """Read a field from a TaskItem (attribute or meta) or a plain dict record."""
    if isinstance(item, dict):
        return item.get(name, default)
    if hasattr(item, name):
        return getattr(item, name)
    return getattr(item, "meta", {}).get(name, default)


def user_content(item: Any) -> list[dict]:
    """The user turn: images (each after its timestamp when there are several frames), then text."""
    images = item_field(item, "images") or []
    stamps = item_field(item, "timestamps") or []
    content: list[dict] = []
    for i, _ in enumerate(images):
        if len(stamps) == len(images):
            content.append({"type": "text", "text": stamps[i]})
        content.append({"type": "image"})
    content.append({"type": "text", "text": item_field(item, "prompt")})
    return content


def build_messages(item: Any, response: str | None = None, system: str | None = SYSTEM) -> list[dict]:
    messages = [{"role": "system", "content": [{"type": "text", "text": system}]}] if system else []
    messages.append({"role": "user", "content": user_content(item)})
    if response is not None:
        messages.append({"role": "assistant", "content": [{"type": "text", "text": response}]})
    return messages


def prompt_text(processor, item: Any, system: str | None = SYSTEM) -> str:
    """The chat-formatted prompt, ending where the assistant's response starts."""
    return processor.apply_chat_template(build_messages(item, system=system), tokenize=False,
                                         add_generation_prompt=True)


def load_images(item: Any, image_root: str | Path | None = None) -> list[Image.Image]:
    """The item's images as RGB PIL images (paths are relative to its image_root)."""
    root = Path(image_root or item_field(item, "image_root") or ".")
    out = []
    for rel in item_field(item, "images") or []:
        path = root / rel
        try:
            with Image.open(path) as img:
                out.append(img.convert("RGB"))
        except (OSError, ValueError) as e:
            raise ValueError(f"item {item_field(item, 'id')!r}: cannot load image {str(path)!r}: {e}") from e
    return out
