"""The learner's forward passes as modules: a policy's log-probs and entropy at the response tokens,
and a critic's values for the states before them.

Each pass is one `nn.Module` whose forward is the whole pass, so that FSDP (rl/distributed.py) can
gather the model's parameters before it and reduce their gradients after it, whichever submodules
the pass calls (prefix sharing calls the backbone twice and the LM head on its own). On one process
the modules are thin wrappers with no cost.

Alignment (rl/batch.py): position t of input_ids holds token x_t; log-probs at t are
log p(x_t | x_<t); the critic's value for the state before x_t is its output at t-1, so values,
log-probs, rewards and advantages share the [B, T] response mask.
"""
from __future__ import annotations

import torch
from torch import nn

from model.load import mixed_precision
from model.prefix import prefix_forward, to_layout


def shift_values(raw: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Critic output at t-1 -> the value of the state before token t; [B, T], 0 off the mask."""
    out = torch.zeros_like(raw)
    out[:, 1:] = raw[:, :-1]
    return out * mask


def _vision(pixel_values, image_grid_thw, mm_token_type_ids) -> dict:
    if pixel_values is None:
        return {}
    return dict(pixel_values=pixel_values, image_grid_thw=image_grid_thw, mm_token_type_ids=mm_token_type_ids)


def _logp_entropy(logits: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(log p(target), entropy) per position, from float32 log-softmax of the logits."""
    logp_all = torch.log_softmax(logits.float(), -1)
    return logp_all.gather(-1, targets[..., None])[..., 0], -(logp_all.exp() * logp_all).sum(-1)


class PolicyPass(nn.Module):
    """(log-probs [b, t], entropy [b, t]) at response positions, 0 elsewhere, float32.

    With `group` (rows sharing a prompt) each prompt is computed once (model/prefix.py)."""

    def __init__(self, model: nn.Module, autocast: str | None = None):
        super().__init__()
        self.model = model
        self.autocast = autocast

    def forward(self, input_ids, attention_mask, response_mask, group=None, pixel_values=None,
                image_grid_thw=None, mm_token_type_ids=None):
        device = input_ids.device
        if group is not None:
            with mixed_precision(self.autocast, device):
                hidden, tokens, valid = prefix_forward(self.model.model, input_ids, attention_mask, response_mask,
                                                       group, pixel_values, image_grid_thw, mm_token_type_ids)
                logits = self.model.lm_head(hidden)
            picked, ent = _logp_entropy(logits, tokens)
            return to_layout(picked, valid, response_mask), to_layout(ent, valid, response_mask)
        with mixed_precision(self.autocast, device):
            logits = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                **_vision(pixel_values, image_grid_thw, mm_token_type_ids)).logits[:, :-1]
        picked, ent = _logp_entropy(logits, input_ids[:, 1:])
        out_lp, out_ent = torch.zeros(response_mask.shape, device=device), torch.zeros(response_mask.shape, device=device)
        out_lp[:, 1:], out_ent[:, 1:] = picked, ent
        return out_lp * response_mask, out_ent * response_mask


class ValuePass(nn.Module):
    """V(state before token t) at response positions [b, t], float32, 0 elsewhere (a ScalarModel)."""

    def __init__(self, critic: nn.Module, autocast: str | None = None):
        super().__init__()
        self.critic = critic
        self.autocast = autocast

    def forward(self, input_ids, attention_mask, response_mask, group=None, pixel_values=None,
                image_grid_thw=None, mm_token_type_ids=None):
        with mixed_precision(self.autocast, input_ids.device):
            if group is not None:
                hidden, _, valid = prefix_forward(self.critic.backbone, input_ids, attention_mask, response_mask,
                                                  group, pixel_values, image_grid_thw, mm_token_type_ids)
                return to_layout(self.critic.head(hidden).squeeze(-1).float(), valid, response_mask)
            raw = self.critic(input_ids=input_ids, attention_mask=attention_mask,
                              **_vision(pixel_values, image_grid_thw, mm_token_type_ids))
        return shift_values(raw.float(), response_mask)


def pass_inputs(mb) -> dict:
    """A ModelInputs micro-batch as the passes' keyword arguments."""
    return dict(input_ids=mb.input_ids, attention_mask=mb.attention_mask, response_mask=mb.response_mask,
                group=mb.group, pixel_values=mb.pixel_values, image_grid_thw=mb.image_grid_thw,
                mm_token_type_ids=mb.mm_token_type_ids)
