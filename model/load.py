"""Load a local HF vision-language model (tiny ones built in code, or a real Qwen2/2.5-VL) + processor.

Nothing is downloaded: every load uses `local_files_only=True`. Module layout in transformers 5.x
(Qwen2-VL and Qwen2.5-VL alike):

    model.model.visual            vision tower (patch_embed, blocks, ...)
    model.model.visual.merger     adapter: merges 2x2 patches into the text width
    model.model.language_model    text decoder;  model.lm_head
"""
from __future__ import annotations

import contextlib
import json
import math
import types
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from model.tiny import PRESETS, build_tiny

# Attribute names, tried in order, on the model and on `model.model`.
TOWER_NAMES = ["visual", "vision_tower", "vision_model", "vision_encoder"]
# Adapter inside the tower (Qwen) or beside it (LLaVA-style).
ADAPTER_IN_TOWER = ["merger", "deepstack_merger_list"]
ADAPTER_BESIDE_TOWER = ["multi_modal_projector", "mm_projector", "connector", "aligner"]


def default_device() -> torch.device:
    """Where models train and run: the GPU when torch sees one, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def native_bf16(device: str | torch.device = "cpu") -> bool:
    """Whether `device` multiplies bfloat16 in hardware: a CUDA GPU that says so, a CPU with
    AVX512-BF16 or AMX. Elsewhere torch emulates bf16, and autocast made a linear layer 3x slower
    than float32 (docs/PERFORMANCE.md, "Mixed precision on a CPU without bf16")."""
    kind = torch.device(device).type
    if kind == "cuda":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    if kind == "cpu":
        return any(getattr(torch.cpu, probe, lambda: False)()
                   for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"))
    return False


def resolve_autocast(mode: str | None, device: str | torch.device = "cpu") -> str | None:
    """A recipe's `autocast` for `device`: "auto" is "bf16" where the device has bf16 in hardware
    (`native_bf16`) and None (float32) elsewhere; "bf16" and None stay as they are."""
    if mode == "auto":
        return "bf16" if native_bf16(device) else None
    if mode not in (None, "bf16"):
        raise ValueError(f"autocast must be 'bf16', 'auto' or null, got {mode!r}")
    return mode


def mixed_precision(mode: str | None, device: str | torch.device = "cpu"):
    """A context for forward passes: "bf16" runs matmuls in bfloat16 (torch.autocast; weights,
    gradients and optimiser state stay float32); None: plain float32; "auto": `resolve_autocast`."""
    if resolve_autocast(mode, device) is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=torch.device(device).type, dtype=torch.bfloat16)


def training_attention(model: nn.Module, device: str | torch.device, autocast: str | None,
                       attention: str | None = "auto") -> None:
    """Set the attention kernel (a transformers name) for training. "auto": eager on CPU under bf16
    autocast, where SDPA's backward runs ~7x slower than in float32 while eager attention's plain
    matmuls gain from bf16 (docs/PERFORMANCE.md), else the model's own choice; None: unchanged."""
    if attention == "auto":
        bf16 = resolve_autocast(autocast, device) == "bf16"
        attention = "eager" if bf16 and torch.device(device).type == "cpu" else None
    if attention and hasattr(model, "set_attn_implementation"):
        model.set_attn_implementation(attention)


def resolve_model_path(spec: str | Path, *, seed: int = 0, cache_dir: str | Path | None = None) -> Path:
    """"tiny" or "tiny:<preset>" -> a built tiny model dir; anything else -> an existing local dir."""
    text = str(spec)
    if text == "tiny" or text.startswith("tiny:"):
        preset = text.partition(":")[2] or "tiny"
        return build_tiny(preset, seed=seed, cache_dir=cache_dir)
    path = Path(text).expanduser()
    check_model_dir(path)
    return path


def check_model_dir(path: Path) -> None:
    """Raise a clear error unless `path` is a local HF model dir (has config.json)."""
    if not path.exists():
        raise FileNotFoundError(
            f"model path {str(path)!r} does not exist: give a local HF model directory (with "
            f"config.json) or 'tiny:<preset>' (presets: {', '.join(PRESETS)}); nothing is downloaded")
    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"model path {str(path)!r} has no config.json: not a HF model directory")


def load_vlm(path: str | Path, *, dtype: torch.dtype = torch.float32, freeze_vision: bool = False,
             freeze_adapter: bool = False, device: str | torch.device = "cpu"):
    """Load (model, processor) from a local dir; optionally freeze the vision tower and/or adapter.

    `path` may also be "tiny:<preset>" (built in code, seed 0). By default every parameter trains.
    The model comes back in eval mode on `device`.
    """
    from transformers import AutoModelForImageTextToText, AutoProcessor

    path = resolve_model_path(path)
    model_class = model_class_for(path) or AutoModelForImageTextToText
    model = model_class.from_pretrained(path, dtype=dtype, local_files_only=True).to(device)
    processor = AutoProcessor.from_pretrained(path, local_files_only=True)
    patch_embed_as_matmul(model)
    if freeze_vision:
        set_trainable(vision_tower_params(model), False)
    if freeze_adapter:
        set_trainable(adapter_params(model), False)
    return model, processor


def _patch_embed_matmul(self, pixels: torch.Tensor) -> torch.Tensor:
    weight = self.proj.weight                      # (out, channels, t, h, w): one patch per row of `pixels`
    flat = weight.reshape(weight.shape[0], -1)
    return F.linear(pixels.reshape(-1, flat.shape[1]).to(flat.dtype), flat, self.proj.bias)


def patch_embed_as_matmul(model: nn.Module) -> int:
    """Run every Qwen-style patch embedding (a Conv3d whose kernel equals its stride, applied to
    pixels already cut into patches) as the equivalent matmul on the same weights. The result is the
    same to float rounding and checkpoints are unchanged, but on CPU the convolution's backward is
    slow, 15x slower under bf16 autocast (docs/PERFORMANCE.md). Returns how many were switched."""
    switched = 0
    for module in model.modules():
        conv = getattr(module, "proj", None)
        if (isinstance(conv, nn.Conv3d) and hasattr(module, "patch_size") and conv.groups == 1
                and tuple(conv.kernel_size) == tuple(conv.stride) and not any(conv.padding)
                and conv.padding_mode == "zeros" and tuple(conv.dilation) == (1, 1, 1)):
            module.forward = types.MethodType(_patch_embed_matmul, module)
            switched += 1
    return switched


def model_class_for(path: Path):
    """The transformers class named in config.json's `architectures`, if transformers has it."""
    import transformers

    names = json.loads((path / "config.json").read_text()).get("architectures") or []
    return next((getattr(transformers, n) for n in names if hasattr(transformers, n)), None)


def find_child(module: nn.Module, names: list[str]) -> nn.Module | None:
    for name in names:
        child = getattr(module, name, None)
        if isinstance(child, nn.Module):
            return child
    return None


def vision_modules(model: nn.Module) -> tuple[nn.Module | None, list[nn.Module]]:
    """(vision tower, adapter modules) of a VLM; (None, []) for a text-only model."""
    for holder in (model, getattr(model, "model", None), getattr(model, "backbone", None)):
        if holder is None:
            continue
        tower = find_child(holder, TOWER_NAMES)
        if tower is not None:
            adapters = [m for n in ADAPTER_IN_TOWER if (m := find_child(tower, [n])) is not None]
            beside = find_child(holder, ADAPTER_BESIDE_TOWER)
            return tower, adapters + ([beside] if beside is not None else [])
    return None, []


def adapter_params(model: nn.Module) -> list[nn.Parameter]:
    """Parameters of the adapter (Qwen's merger, LLaVA's projector)."""
    _, adapters = vision_modules(model)
    return unique_params(p for a in adapters for p in a.parameters())


def vision_tower_params(model: nn.Module) -> list[nn.Parameter]:
    """Parameters of the vision tower, the adapter excluded."""
    tower, _ = vision_modules(model)
    if tower is None:
        return []
    in_adapter = {id(p) for p in adapter_params(model)}
    return unique_params(p for p in tower.parameters() if id(p) not in in_adapter)


def copy_vision(dst: nn.Module, src: nn.Module) -> int:
    """Copy the vision tower + adapter weights of `src` into `dst` (the same architecture), leaving
    the language model as it is; returns how many tensors were copied. The RM stage uses it to read
    the image through the vision side as vision pre-training left it (docs/PERFORMANCE.md)."""
    pairs = [(vision_tower_params(dst), vision_tower_params(src)), (adapter_params(dst), adapter_params(src))]
    if not pairs[0][0] and not pairs[1][0]:
        raise ValueError("copy_vision: the model has no vision tower")
    n = 0
    with torch.no_grad():
        for to, frm in pairs:
            if len(to) != len(frm) or any(a.shape != b.shape for a, b in zip(to, frm)):
                raise ValueError("copy_vision: the two models' vision sides differ in shape")
            for a, b in zip(to, frm):
                a.copy_(b.to(a.dtype))
                n += 1
    return n


def unique_params(params) -> list[nn.Parameter]:
    seen, out = set(), []
    for p in params:
        if id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    return out


def set_trainable(params: list[nn.Parameter], trainable: bool) -> None:
    for p in params:
        p.requires_grad_(trainable)


def param_groups(model: nn.Module, lr: float, vision_lr_mult: float = 1.0) -> list[dict]:
    """AdamW parameter groups of the trainable parameters, each with `lr_mult`: the vision tower and
    adapter in a group of their own at lr x vision_lr_mult (when it is not 1). A loop that schedules
    the learning rate sets each group's lr to base_lr x its lr_mult (`set_lr`)."""
    trainable = [p for p in model.parameters() if p.requires_grad]
    if vision_lr_mult == 1.0:
        return [{"params": trainable, "lr": lr, "lr_mult": 1.0}]
    vision = {id(p) for p in vision_tower_params(model) + adapter_params(model)}
    groups = [{"params": [p for p in trainable if id(p) not in vision], "lr": lr, "lr_mult": 1.0},
              {"params": [p for p in trainable if id(p) in vision], "lr": lr * vision_lr_mult,
               "lr_mult": vision_lr_mult}]
    return [g for g in groups if g["params"]]


def warmup_cosine(step: int, lr: float, warmup_steps: int, steps: int, min_ratio: float = 0.0) -> float:
    """Linear warm-up over `warmup_steps`, then a cosine from lr at the warm-up's end to
    lr * min_ratio at `steps` (held there after)."""
    if step < warmup_steps:
        return lr * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, steps - warmup_steps)
    cosine = 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return lr * (min_ratio + (1 - min_ratio) * cosine)


def set_lr(opt: torch.optim.Optimizer, lr: float) -> None:
    """Set every group of `opt` to lr x its `lr_mult` (param_groups; a group without one: x 1)."""
    for group in opt.param_groups:
        group["lr"] = lr * group.get("lr_mult", 1.0)


def param_names(model: nn.Module, params: list[nn.Parameter]) -> list[str]:
    """Names of `params` in `model` (for logs and tests)."""
    ids = {id(p) for p in params}
    return [n for n, p in model.named_parameters() if id(p) in ids]
