"""Run a vision tower once per distinct image of a batch.

In an RL batch every prompt is sampled n times, so the learner's forward passes see each image n
times. `share_repeated_images(model)` wraps the vision tower's forward (the module keeps its class,
parameters and state-dict keys): the batch's images are compared exactly, the tower runs on the
distinct ones, and its outputs are gathered back into the batch's order. Gradients are the same as
without the wrapper: `index_select`'s backward sums the repeats' gradients into the one forward.
"""
from __future__ import annotations

import types

import torch

from model.load import vision_modules


def distinct(pixel_values: torch.Tensor, grid_thw: torch.Tensor) -> tuple[list[int], list[int]]:
    """(index of each image's first identical image among the distinct ones, the distinct images'
    positions in the batch). Images are rows of `pixel_values` split by `grid_thw.prod(-1)`."""
    sizes = grid_thw.prod(-1).tolist()
    chunks = torch.split(pixel_values, sizes)
    firsts: list[int] = []
    seen: dict[tuple, list[int]] = {}
    index = []
    for i, (chunk, grid) in enumerate(zip(chunks, grid_thw.tolist())):
        key = (tuple(grid), float(chunk.sum()), float(chunk[::3].abs().sum()))
        match = next((j for j in seen.get(key, []) if torch.equal(chunks[firsts[j]], chunk)), None)
        if match is None:
            match = len(firsts)
            firsts.append(i)
            seen.setdefault(key, []).append(match)
        index.append(match)
    return index, firsts


def _gather(out: torch.Tensor, sizes: list[int], index: list[int]) -> torch.Tensor:
    """Rows of the distinct images' outputs (`sizes` rows each) repeated into the batch's order."""
    starts = [0]
    for s in sizes:
        starts.append(starts[-1] + s)
    rows = torch.cat([torch.arange(starts[j], starts[j + 1], device=out.device) for j in index])
    return out.index_select(0, rows)


def _shared_forward(self, hidden_states, grid_thw, **kwargs):
    """The tower's own forward on the distinct images, gathered back into the batch's order."""
    forward = type(self).forward.__get__(self)
    index, firsts = distinct(hidden_states, grid_thw)
    if len(firsts) == len(index):
        return forward(hidden_states, grid_thw=grid_thw, **kwargs)
    merge = getattr(self, "spatial_merge_size", 2) ** 2
    sizes = grid_thw.prod(-1).tolist()
    chunks = torch.split(hidden_states, sizes)
    out = forward(torch.cat([chunks[i] for i in firsts]), grid_thw=grid_thw[firsts], **kwargs)
    patch_sizes = [sizes[i] for i in firsts]
    if isinstance(out, torch.Tensor):   # towers that return the merged features alone
        return _gather(out, [s // merge for s in patch_sizes], index)
    out.pooler_output = _gather(out.pooler_output, [s // merge for s in patch_sizes], index)
    if getattr(out, "last_hidden_state", None) is not None:
        out.last_hidden_state = _gather(out.last_hidden_state, patch_sizes, index)
    return out


def share_repeated_images(model: torch.nn.Module) -> torch.nn.Module:
    """Make `model`'s vision tower (if any) skip repeated images; returns `model`. Idempotent, and
    a deep copy of the model keeps the behaviour, bound to the copy's own weights."""
    visual, _ = vision_modules(model)
    if visual is not None and "forward" not in visual.__dict__:
        visual.forward = types.MethodType(_shared_forward, visual)
    return model
