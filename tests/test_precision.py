"""`autocast: auto` and `rollout.dtype: auto`: bf16 only where the hardware multiplies it."""
import pytest
import torch

from model.load import mixed_precision, native_bf16, resolve_autocast
from rl.rollout import engine_dtype
from rl.schema import RolloutConfig


@pytest.fixture(params=[True, False], ids=["bf16-cpu", "no-bf16-cpu"])
def cpu_bf16(request, monkeypatch):
    """Pretend the CPU has (or lacks) bf16 in hardware, whatever this machine has."""
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: request.param, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    return request.param


def test_native_bf16_follows_the_cpu_probes(cpu_bf16):
    assert native_bf16("cpu") is cpu_bf16
    assert native_bf16("meta") is False


def test_auto_autocast_is_bf16_only_on_a_bf16_cpu(cpu_bf16):
    assert resolve_autocast("auto", "cpu") == ("bf16" if cpu_bf16 else None)
    assert resolve_autocast("bf16", "cpu") == "bf16" and resolve_autocast(None, "cpu") is None
    x = torch.randn(4, 8)
    with mixed_precision("auto", "cpu"):
        y = torch.nn.functional.linear(x, torch.randn(3, 8))
    assert y.dtype == (torch.bfloat16 if cpu_bf16 else torch.float32)


def test_an_unknown_autocast_is_an_error():
    with pytest.raises(ValueError, match="autocast must be 'bf16', 'auto' or null, got 'fp16'"):
        mixed_precision("fp16", "cpu")


def test_engine_dtype(cpu_bf16):
    assert engine_dtype(RolloutConfig(), "float32") == "float32"   # null: the model's dtype
    assert engine_dtype(RolloutConfig(dtype="bfloat16"), "float32") == "bfloat16"   # named: as named
    assert engine_dtype(RolloutConfig(dtype="auto"), "float32") == ("bfloat16" if cpu_bf16 else "float32")
    assert engine_dtype(RolloutConfig(dtype="auto", gpus_per_worker=1), "float32") == "bfloat16"
