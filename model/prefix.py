"""A prompt computed once for all of its samples in the learner's forward passes (prefix sharing).

An RL batch holds n samples of every prompt, and the prompt (its image tokens included) is often as
long as a response. `prefix_forward` runs each distinct prompt of a micro-batch once, with the
vision tower, keeps its keys and values, repeats them (`index_select`, so gradients from every
sample sum into the one prompt forward) and runs the responses alone on top of them. The outputs are
the hidden states that predict the response tokens, the same as a full forward's up to rounding:

    full forward:    [prompt | response] x n samples          -> hidden state at every position
    prefix sharing:  [prompt] once, then [response] x n        -> hidden states before each response token

M-RoPE positions come from the model's own `get_rope_index` on the full sequences (so image tokens
keep their 3-D positions and response tokens continue after them), then are cut into both parts.
Works with any HF Qwen2-VL-like backbone (`.get_rope_index`, a `DynamicCache`).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class Split:
    """Where each row's prompt ends and which rows share a prompt."""

    prompt_len: torch.Tensor   # [B] int64: tokens before the first response token
    resp_len: torch.Tensor     # [B] int64
    owner: torch.Tensor        # [B] int64: index of the row's prompt among the distinct ones
    firsts: list[int]          # [G]: a row holding each distinct prompt


def split_rows(response_mask: torch.Tensor, attention_mask: torch.Tensor, group: torch.Tensor) -> Split:
    """Prompt/response lengths of right-padded rows (prompt, then a contiguous response) and the
    distinct prompts by `group` (rows of one group must hold the same prompt and images)."""
    resp = response_mask > 0
    resp_len = resp.sum(1)
    prompt_len = resp.float().argmax(1)
    if bool((resp_len == 0).any()):
        raise ValueError("prefix sharing: a row has no response tokens")
    expect = torch.arange(resp.shape[1], device=resp.device)[None]
    contiguous = (expect >= prompt_len[:, None]) & (expect < (prompt_len + resp_len)[:, None])
    if not torch.equal(contiguous, resp) or not torch.equal(attention_mask.sum(1), prompt_len + resp_len):
        raise ValueError("prefix sharing needs right-padded rows: prompt, then one contiguous response")
    uniq, owner = torch.unique(group, return_inverse=True)
    firsts = [int((owner == g).nonzero()[0]) for g in range(len(uniq))]
    if not torch.equal(prompt_len, prompt_len[firsts][owner]):
        raise ValueError("prefix sharing: rows of one group have prompts of different lengths")
    return Split(prompt_len, resp_len, owner, firsts)


def mrope_positions(backbone, input_ids, attention_mask, mm_token_type_ids=None, image_grid_thw=None):
    """[3, B, T] position ids, as the model's own forward computes them for these inputs."""
    if image_grid_thw is None:
        pos = (attention_mask.long().cumsum(-1) - 1).clamp_min(0)
        return pos[None].expand(3, -1, -1)
    pos, _ = backbone.get_rope_index(input_ids, mm_token_type_ids=mm_token_type_ids,
                                     image_grid_thw=image_grid_thw, attention_mask=attention_mask)
    return pos


def _image_rows(mm_token_type_ids: torch.Tensor, grid: torch.Tensor, merge: int) -> list[int]:
    """The row of every image (images are stored row by row, in order)."""
    per_image = (grid.prod(-1) // merge ** 2).tolist()
    rows, i = [], 0
    for b, n in enumerate((mm_token_type_ids == 1).sum(1).tolist()):
        taken = 0
        while taken < n:
            rows.append(b)
            taken += per_image[i]
            i += 1
    if i != len(per_image):
        raise ValueError(f"prefix sharing: {len(per_image)} images but image tokens for {i}")
    return rows


def _prompt_images(backbone, pixel_values, grid, mm_token_type_ids, firsts: list[int]):
    """pixel_values and grid of the images of rows `firsts`, in that order."""
    merge = backbone.config.vision_config.spatial_merge_size
    rows = _image_rows(mm_token_type_ids, grid, merge)
    starts = [0] + grid.prod(-1).cumsum(0).tolist()
    keep = [i for r in firsts for i, row in enumerate(rows) if row == r]
    if not keep:
        return None, None
    pix = torch.cat([pixel_values[starts[i]:starts[i + 1]] for i in keep])
    return pix, grid[keep]


def prefix_forward(backbone, input_ids, attention_mask, response_mask, group, pixel_values=None,
                   image_grid_thw=None, mm_token_type_ids=None):
    """(hidden [B, L, H]: the state that predicts response token j of row b, tokens [B, L]: the
    response tokens, valid [B, L] bool) with every distinct prompt computed once.

    Rows are right-padded (prompt, then response); `group` [B] says which rows share a prompt."""
    from transformers import DynamicCache

    sp = split_rows(response_mask, attention_mask, group)
    dev = input_ids.device
    pos = mrope_positions(backbone, input_ids, attention_mask, mm_token_type_ids, image_grid_thw)
    firsts = torch.tensor(sp.firsts, device=dev)
    p_len = sp.prompt_len[firsts]
    width = int(p_len.max())
    cols = torch.arange(width, device=dev)[None]
    p_mask = (cols < p_len[:, None]).long()
    kw = {}
    if pixel_values is not None:
        pix, grid = _prompt_images(backbone, pixel_values, image_grid_thw, mm_token_type_ids, sp.firsts)
        if pix is not None:
            kw = dict(pixel_values=pix, image_grid_thw=grid, mm_token_type_ids=mm_token_type_ids[firsts, :width])
    prompt = backbone(input_ids=input_ids[firsts, :width] * p_mask, attention_mask=p_mask,
                      position_ids=pos[:, firsts, :width], past_key_values=DynamicCache(), use_cache=True, **kw)
    cache = prompt.past_key_values
    cache.batch_select_indices(sp.owner)        # each row gets its prompt's keys and values
    L = int(sp.resp_len.max())
    j = torch.arange(L, device=dev)[None]
    valid = j < sp.resp_len[:, None]
    idx = (sp.prompt_len[:, None] + j).clamp_max(input_ids.shape[1] - 1)
    tokens = input_ids.gather(1, idx) * valid
    resp_pos = pos.gather(2, idx[None].expand(3, -1, -1))
    resp = backbone(input_ids=tokens, attention_mask=torch.cat([p_mask[sp.owner], valid.long()], 1),
                    position_ids=resp_pos, past_key_values=cache, use_cache=True)
    last = prompt.last_hidden_state[sp.owner, sp.prompt_len - 1]          # predicts response token 0
    hidden = torch.cat([last[:, None], resp.last_hidden_state[:, :-1]], 1)
    return hidden, tokens, valid


def to_layout(values: torch.Tensor, valid: torch.Tensor, response_mask: torch.Tensor) -> torch.Tensor:
    """[B, L] per-response-token values -> the full rows' [B, T] layout (0 off the response)."""
    out = torch.zeros(response_mask.shape, dtype=values.dtype, device=values.device)
    return out.masked_scatter(response_mask > 0, values[valid])
