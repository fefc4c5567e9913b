"""CPU speed-ups that must not change results: the patch embedding as a matmul, eager attention
for bf16 training on CPU (model/load.py)."""
import copy

import torch
from torch import nn

from model.load import load_vlm, patch_embed_as_matmul, training_attention


def conv_reference(patch_embed, pixels):
    """The patch embedding as transformers computes it: a Conv3d over pixels cut into patches."""
    conv = patch_embed.proj
    shaped = pixels.view(-1, conv.in_channels, *conv.kernel_size)
    return conv(shaped).view(-1, conv.out_channels)


def test_patch_embed_matmul_matches_the_convolution_forward_and_backward(tiny_model_dir):
    model, _ = load_vlm(tiny_model_dir)                      # load_vlm switches it on
    embed = model.model.visual.patch_embed
    assert patch_embed_as_matmul(model) == 1                 # idempotent: the conv is still there
    torch.manual_seed(0)
    pixels = torch.randn(24, embed.proj.weight[0].numel())
    with torch.autocast("cpu", dtype=torch.bfloat16):   # under bf16 autocast, within bf16 rounding
        fast = embed(pixels)
    assert fast.dtype == torch.bfloat16
    torch.testing.assert_close(fast.float(), conv_reference(embed, pixels), rtol=3e-2, atol=3e-2)
    embed.double()                                       # the same sum in another order: float64 shows it
    pixels = pixels.double()
    out = embed(pixels)
    ref = conv_reference(embed, pixels)
    assert out.shape == ref.shape == (24, embed.proj.out_channels)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    grads = [torch.autograd.grad(y.square().sum(), embed.proj.weight)[0] for y in (out, ref)]
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-10, atol=1e-10)


def test_patch_embed_matmul_follows_its_own_weights_after_a_deepcopy(tiny_model_dir):
    model, _ = load_vlm(tiny_model_dir)
    twin = copy.deepcopy(model)                           # as the learner's reference and critic are made
    with torch.no_grad():
        twin.model.visual.patch_embed.proj.weight.mul_(2.0)
    pixels = torch.randn(4, model.model.visual.patch_embed.proj.weight[0].numel())
    torch.testing.assert_close(twin.model.visual.patch_embed(pixels),
                               2.0 * model.model.visual.patch_embed(pixels), rtol=1e-5, atol=1e-5)


def test_only_convolutions_that_are_patch_cuts_are_switched():
    class Odd(nn.Module):
        def __init__(self, **conv):
            super().__init__()
            self.patch_size = 2
            self.proj = nn.Conv3d(3, 4, **conv)

    kept = [Odd(kernel_size=2, stride=1), Odd(kernel_size=2, stride=2, padding=1),
            Odd(kernel_size=2, stride=2, dilation=2)]
    assert patch_embed_as_matmul(nn.ModuleList(kept)) == 0
    assert patch_embed_as_matmul(Odd(kernel_size=2, stride=2)) == 1


def test_training_attention_is_eager_only_for_bf16_on_cpu(tiny_model_dir):
    model, _ = load_vlm(tiny_model_dir)
    before = model.config._attn_implementation
    training_attention(model, "cpu", None)
    assert model.config._attn_implementation == before
    training_attention(model, "cpu", "bf16")
    assert model.config._attn_implementation == "eager"
    assert model.config.vision_config._attn_implementation == "eager"


def test_qwen2_5_vl_patch_embed_is_switched_too(qwen2_5_vl):
    model = qwen2_5_vl.double()
    embed = model.model.visual.patch_embed
    pixels = torch.randn(6, embed.proj.weight[0].numel(), dtype=torch.float64)
    ref = embed(pixels)                                  # transformers' own forward
    assert patch_embed_as_matmul(model) == 1
    torch.testing.assert_close(embed(pixels), ref, rtol=1e-12, atol=1e-12)
