"""The format gate: a response must read `<think>{thought}</think>{solution}`.

Only `solution` reaches the verifiers (any `<answer>...</answer>` inside it is theirs to read).

Modes:
  "strict"  (strict=True): leading whitespace, then exactly one `<think>...</think>` block; no other
            think tag anywhere; the thought and the solution are both non-empty.
  "lenient" (strict=False): text before the block is allowed and tags may repeat; the thought runs
            from the first `<think>` to the last `</think>`, the solution is what follows the last
            `</think>` and must be non-empty and must not open a new `<think>`.

`prefilled_think=True` is for chat templates that put `<think>` into the prompt, so the response
starts inside the thought. Trailing end-of-turn tokens (`<|im_end|>`, `<|endoftext|>`) are dropped.
Everything is done with str.find/rfind, so 100k-character responses cost linear time.
"""
from __future__ import annotations

from dataclasses import dataclass

OPEN, CLOSE = "<think>", "</think>"
END_TOKENS = ("<|im_end|>", "<|endoftext|>")
MODES = ("strict", "lenient")


@dataclass
class FormatVerdict:
    ok: bool
    thought: str = ""
    solution: str = ""
    reason: str = "ok"


def strip_end_tokens(text: str) -> str:
    """Drop trailing end-of-turn tokens (and the whitespace around them), in one backward pass."""
    end = len(text)
    while end:
        if text[end - 1].isspace():
            end -= 1
            continue
        token = next((t for t in END_TOKENS if text.endswith(t, 0, end)), None)
        if token is None:
            break
        end -= len(token)
    return text[:end]


def resolve_mode(strict: bool | str) -> str:
    if isinstance(strict, bool):
        return "strict" if strict else "lenient"
    if strict not in MODES:
        raise ValueError(f"unknown format mode {strict!r}; expected one of {', '.join(MODES)} or a bool")
    return strict


def check_format(response: str, strict: bool | str = True, prefilled_think: bool = False) -> FormatVerdict:
    """Split `response` into thought and solution, or say why it fails the gate."""
    mode = resolve_mode(strict)
    text = strip_end_tokens(response or "")
    if prefilled_think:
        text = OPEN + text
    if mode == "strict":
        return check_strict(text)
    return check_lenient(text)


def fail(reason: str) -> FormatVerdict:
    return FormatVerdict(False, "", "", reason)


def check_strict(text: str) -> FormatVerdict:
    text = text.lstrip()
    if not text.startswith(OPEN):
        return fail("missing <think> at start")
    close = text.find(CLOSE, len(OPEN))
    if close < 0:
        return fail("missing </think>")
    thought = text[len(OPEN) : close]
    solution = text[close + len(CLOSE) :]
    if OPEN in thought or OPEN in solution:
        return fail("nested or repeated <think>")
    if CLOSE in solution:
        return fail("extra </think>")
    if not thought.strip():
        return fail("empty thought")
    if not solution.strip():
        return fail("empty solution")
    return FormatVerdict(True, thought.strip(), solution.strip(), "ok")


def check_lenient(text: str) -> FormatVerdict:
    start = text.find(OPEN)
    if start < 0:
        return fail("missing <think>")
    close = text.rfind(CLOSE)
    if close < start:
        return fail("missing </think>")
    solution = text[close + len(CLOSE) :]
    if OPEN in solution:
        return fail("missing </think>")  # a second thought was opened and never closed
    if not solution.strip():
        return fail("empty solution")
    thought = text[start + len(OPEN) : close]
    return FormatVerdict(True, thought.strip(), solution.strip(), "ok")
