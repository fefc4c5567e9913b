"""A VL backbone with a scalar head: the shared critic (a value per token) and the scalar reward
model (the value at a sequence's last token).

Built from a policy checkpoint (the backbone is copied, the LM head dropped) or from a reward model.
Saved as `scalar_model.safetensors` + the HF config/processor files, so the backbone loads with
the same class as the policy.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn

WEIGHTS = "scalar_model.safetensors"
META = "scalar_model.json"


def text_hidden_size(config) -> int:
    text = getattr(config, "text_config", None) or config
    return text.hidden_size


POOLS = ("last", "mean", "sum")
HEADS = ("linear", "match")


class ImageMatch(nn.Module):
    """Does each phrase find itself in the image? For every token, `heads` learned bilinear
    similarities between its phrase (the input embeddings of it and the `window` - 1 tokens before
    it) and each image token's input embedding (the vision adapter's output), soft-maxed over the
    image tokens (logsumexp, less log of their number) and weighted by a learned per-token gate.
    "green" or "circle" then scores by whether some image token matches it, and with a window of 3
    "green circle" by whether some image token is both, as an image-text matching head compares
    words with image regions; tokens that name nothing learn a gate of zero. The gate starts at
    zero, so a fresh head adds nothing.

    Inputs, not the last hidden states: a word's input embedding is its identity, and the adapter's
    output is what the vision pre-training made linearly readable (docs/PERFORMANCE.md: from the
    last hidden states the same head learnt nothing in 200 steps)."""

    def __init__(self, hidden: int, heads: int = 8, dim: int = 32, window: int = 1):
        super().__init__()
        if window < 1:
            raise ValueError(f"match window must be >= 1, got {window}")
        self.heads, self.dim, self.window = heads, dim, window
        self.q = nn.Linear(hidden * window, heads * dim, bias=False)
        self.k = nn.Linear(hidden, heads * dim, bias=False)
        self.gate = nn.Linear(hidden * window, heads)
        nn.init.zeros_(self.gate.weight)
        nn.init.zeros_(self.gate.bias)

    def phrases(self, embeds: torch.Tensor) -> torch.Tensor:
        """[B, T, d] -> [B, T, window * d]: each token's embedding, then the previous ones' (zeros
        before the first token)."""
        t = embeds.shape[1]
        return torch.cat([F.pad(embeds, (0, 0, i, 0))[:, :t] for i in range(self.window)], dim=-1)

    def forward(self, embeds: torch.Tensor, image_mask: torch.Tensor) -> torch.Tensor:
        """embeds [B, T, d] (the LLM's input embeddings), image_mask [B, T] (True on image tokens)
        -> [B, T] value terms (0 in a sequence without image tokens)."""
        b, t, _ = embeds.shape
        words = self.phrases(embeds)
        q = self.q(words).view(b, t, self.heads, self.dim)
        cols = image_mask.any(0)               # positions that hold an image token in some sequence
        keys, mask = embeds[:, cols], image_mask[:, cols]
        k = self.k(keys).view(b, keys.shape[1], self.heads, self.dim)
        sim = torch.einsum("bthd,bshd->bhts", q, k) / self.dim ** 0.5
        sim = sim.masked_fill(~mask[:, None, None, :], float("-inf"))
        n_image = image_mask.sum(1).clamp_min(1)
        best = torch.logsumexp(sim, dim=-1) - n_image.log()[:, None, None]    # [B, heads, T]
        best = torch.where(image_mask.any(1)[:, None, None], best, torch.zeros_like(best))
        return (self.gate(words) * best.transpose(1, 2)).sum(-1)


class Tally(nn.Module):
    """Do the response's numbers add up? `k` learned tallies, each the sum over the response's
    tokens of a linear function of their input embeddings; the score loses each tally's square. A
    tally that counts +1 for every shape a description lists ("a"/"an") and minus the count it
    states is 0 for "2 shapes: a red circle and a blue star" and not for "3 shapes: a red circle
    and a blue star": whether a stated count is right depends on the rest of the text, which a
    mean of per-token values cannot compare (docs/PERFORMANCE.md: wrong counts 0.82-0.85 ->
    0.96-1.00 on held-out pairs, three seeds). Weights start at N(0, 0.01), so a fresh head adds next to nothing."""

    def __init__(self, hidden: int, k: int = 4, init_std: float = 0.01):
        super().__init__()
        if k < 1:
            raise ValueError(f"tally needs k >= 1 tallies, got {k}")
        self.proj = nn.Linear(hidden, k)
        nn.init.normal_(self.proj.weight, std=init_std)
        nn.init.zeros_(self.proj.bias)

    def forward(self, embeds: torch.Tensor, response_mask: torch.Tensor) -> torch.Tensor:
        """embeds [B, T, d], response_mask [B, T] -> [B] (minus the sum of the squared tallies)."""
        m = response_mask.to(embeds.dtype)[..., None]
        tallies = (self.proj(embeds) * m).sum(1)                                # [B, k]
        return -tallies.float().pow(2).sum(-1)


class ScalarModel(nn.Module):
    """backbone (Qwen2VLModel-like: returns last_hidden_state) -> Linear(hidden, 1).

    `head`: "linear" (the value is a linear function of each token's hidden state), or "match"
    (plus an ImageMatch term: each token's learned match against the image tokens; for an RM
    that has to check the words against the picture).

    `pool` turns the per-token values into a sequence's score: "last" (the value at the last
    token), "mean" or "sum" (over the response tokens: each token's value is a local verdict, so a
    wrong phrase lowers the score wherever it sits, without one position having to sum up all).
    `tally` > 0 adds that many Tally terms to a sequence's score (over the response's tokens)."""

    def __init__(self, backbone: nn.Module, hidden: int, config=None, pool: str = "last", head: str = "linear",
                 match_window: int = 1, tally: int = 0):
        super().__init__()
        if pool not in POOLS:
            raise ValueError(f"pool must be one of {', '.join(POOLS)}, got {pool!r}")
        if head not in HEADS:
            raise ValueError(f"head must be one of {', '.join(HEADS)}, got {head!r}")
        self.backbone = backbone
        self.pool = pool
        self.head_kind = head
        self.head = nn.Linear(hidden, 1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        self.match = ImageMatch(hidden, window=match_window) if head == "match" else None
        if tally < 0:
            raise ValueError(f"tally must be >= 0, got {tally}")
        self.tally = Tally(hidden, tally) if tally else None
        self.config = config
        self.image_ids = [i for i in (getattr(config, "image_token_id", None), getattr(config, "video_token_id", None))
                          if i is not None]
        if self.match is not None and not self.image_ids:
            raise ValueError("head 'match' needs a config with image_token_id (a Qwen2-VL-style model)")

    @classmethod
    def from_policy(cls, policy: nn.Module, pool: str = "last", head: str = "linear",
                    match_window: int = 1, tally: int = 0) -> "ScalarModel":
        """A critic (or RM) initialised from the policy: a deep copy of its VL backbone, a zero head."""
        import copy

        backbone = copy.deepcopy(policy.model)
        for p in backbone.parameters():
            p.requires_grad_(True)
        return cls(backbone, text_hidden_size(policy.config), policy.config, pool, head, match_window, tally)

    def forward(self, input_ids, attention_mask=None, pixel_values=None, image_grid_thw=None,
                mm_token_type_ids=None, **_) -> torch.Tensor:
        """Values [B, T], one per input position."""
        return self.head_values(self.features(input_ids, attention_mask, pixel_values, image_grid_thw,
                                              mm_token_type_ids))

    def features(self, input_ids, attention_mask=None, pixel_values=None, image_grid_thw=None,
                 mm_token_type_ids=None, **_) -> dict:
        """What the heads read from the backbone: `hidden` [B, T, d] (the last hidden states) and, for
        the match head and the tallies, `embeds` [B, T, d] (the LLM's input embeddings: word embeddings
        and the vision adapter's output, RMS-normalised) and `image_mask` [B, T]. With a frozen
        backbone these are computed once per sequence (rewards/rm_train.py)."""
        embeds_needed = self.match is not None or self.tally is not None
        out = self.backbone(input_ids=input_ids, attention_mask=attention_mask, pixel_values=pixel_values,
                            image_grid_thw=image_grid_thw, mm_token_type_ids=mm_token_type_ids, use_cache=False,
                            output_hidden_states=embeds_needed)
        feats = {"hidden": out.last_hidden_state}
        if embeds_needed:
            image_mask = torch.zeros_like(input_ids, dtype=torch.bool)
            for i in self.image_ids:
                image_mask |= input_ids == i
            embeds = out.hidden_states[0]
            # RMS-normalised: the image tokens' norm is tens of times the words' here
            feats["embeds"] = embeds * torch.rsqrt(embeds.float().pow(2).mean(-1, keepdim=True) + 1e-6).to(embeds.dtype)
            feats["image_mask"] = image_mask
        return feats

    def head_values(self, feats: dict) -> torch.Tensor:
        """Values [B, T] from `features`' output."""
        values = self.head(feats["hidden"]).squeeze(-1)
        if self.match is not None:
            values = values + self.match(feats["embeds"], feats["image_mask"]).to(values.dtype)
        return values

    def score(self, attention_mask: torch.Tensor, response_mask: torch.Tensor | None = None,
              **inputs) -> torch.Tensor:
        """One scalar per sequence [B] (right padding), pooled as `self.pool` says; "mean"/"sum"
        pool over `response_mask` (1 on the response's tokens)."""
        return self.sequence_scores(self.features(attention_mask=attention_mask, **inputs), attention_mask,
                                    response_mask)

    def sequence_scores(self, feats: dict, attention_mask: torch.Tensor,
                        response_mask: torch.Tensor | None = None) -> torch.Tensor:
        """[B] scores from `features`' output: the pooled head values, plus the tallies if any."""
        scores = self.pool_values(self.head_values(feats), attention_mask, response_mask)
        if self.tally is not None:
            if response_mask is None:
                raise ValueError("tally needs a response_mask")
            scores = scores + self.tally(feats["embeds"], response_mask).to(scores.dtype)
        return scores

    def pool_values(self, values: torch.Tensor, attention_mask: torch.Tensor,
                    response_mask: torch.Tensor | None = None) -> torch.Tensor:
        """[B, T] values -> [B] scores, as `self.pool` says."""
        if self.pool == "last":
            last = attention_mask.long().sum(dim=1) - 1
            return values[torch.arange(values.shape[0], device=values.device), last]
        if response_mask is None:
            raise ValueError(f"pool {self.pool!r} needs a response_mask")
        m = response_mask.to(values.dtype)
        total = (values * m).sum(1)
        return total if self.pool == "sum" else total / m.sum(1).clamp_min(1)

    def save(self, path: str | Path, source_dir: str | Path | None = None, state: dict | None = None) -> Path:
        """Write weights (`state`, default this module's) + meta; copy config/tokenizer/processor
        files from `source_dir`."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        state = {k: v.detach().contiguous() for k, v in (self.state_dict() if state is None else state).items()}
        save_file(state, str(tmp / WEIGHTS))
        (tmp / META).write_text(json.dumps({"hidden": self.head.in_features, "pool": self.pool,
                                             "head": self.head_kind,
                                             "match_window": self.match.window if self.match is not None else 1,
                                             "tally": self.tally.proj.out_features if self.tally is not None else 0}))
        if source_dir is not None:
            for f in Path(source_dir).iterdir():
                if f.is_file() and not f.name.endswith(".safetensors") and f.name != META:
                    shutil.copy2(f, tmp / f.name)
        shutil.rmtree(path, ignore_errors=True)
        tmp.rename(path)
        return path

    @classmethod
    def load(cls, path: str | Path, dtype: torch.dtype = torch.float32) -> "ScalarModel":
        """Rebuild from a dir written by `save` (the backbone class comes from its config.json)."""
        from transformers import AutoConfig

        from model.load import model_class_for

        path = Path(path)
        if not (path / WEIGHTS).is_file():
            raise FileNotFoundError(f"{path}: no {WEIGHTS} (not a scalar model written by ScalarModel.save)")
        config = AutoConfig.from_pretrained(path, local_files_only=True)
        klass = model_class_for(path)
        if klass is None:
            from transformers import AutoModelForImageTextToText
            full = AutoModelForImageTextToText.from_config(config, dtype=dtype)
        else:
            full = klass._from_config(config, dtype=dtype)
        meta = json.loads((path / META).read_text())
        model = cls(full.model, meta["hidden"], config, meta.get("pool", "last"), meta.get("head", "linear"),
                    meta.get("match_window", 1), meta.get("tally", 0))
        model.load_state_dict(load_file(str(path / WEIGHTS)))
        return model.to(dtype)
