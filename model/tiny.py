"""A tiny Qwen2-VL built in code: random weights, a locally trained BPE tokenizer, the real processor.

`build_tiny("tiny")` saves model + tokenizer + processor + chat template to a cache dir and returns
it; the dir loads like any HF checkpoint (model/load.py) and in vLLM. Nothing is downloaded.

Parameter counts (version 2; the BPE stops at 1,807 tokens below its 2,048 cap; fp32):
    tiny:  1.03M (text 2 x 128, 4 heads of 32, 2 kv heads; vision depth 2 x 64) -- for tests
    small: 9.63M (text 4 x 256, 4 heads of 64, 2 kv heads; vision depth 4 x 256) -- the CPU default
Build: ~0.5 s each after imports (~4 s for the transformers imports); cached afterwards.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, trainers
from tokenizers.models import BPE

# Bump when anything below changes what gets saved (the cache key includes it).
VERSION = "2"


@dataclass(frozen=True)
class Preset:
    text_layers: int
    hidden: int
    heads: int
    kv_heads: int
    intermediate: int
    vision_depth: int
    vision_width: int
    vision_heads: int
    max_pixels: int
    vocab_size: int = 2048


PRESETS: dict[str, Preset] = {
    "tiny": Preset(text_layers=2, hidden=128, heads=4, kv_heads=2, intermediate=256,
                   vision_depth=2, vision_width=64, vision_heads=2, max_pixels=112 * 112),
    "small": Preset(text_layers=4, hidden=256, heads=4, kv_heads=2, intermediate=1024,
                    vision_depth=4, vision_width=256, vision_heads=4, max_pixels=224 * 224),
}

MIN_PIXELS = 56 * 56
MAX_POSITIONS = 4096
PATCH, MERGE, TEMPORAL_PATCH = 14, 2, 2
ROPE_THETA = 10000.0

# Qwen2-VL's special tokens in Qwen's own order (ids 0..13 here, 151643.. in Qwen).
SPECIAL_TOKENS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
    "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>",
    "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>",
]
# Ordinary added tokens: fixed ids, but kept by decode(skip_special_tokens=True).
THINK_TOKENS = ["<think>", "</think>"]

# Qwen's pre-tokenizer (transformers' Qwen2Tokenizer uses the same): digits split one by one.
PRETOKENIZE_REGEX = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"""
                     r"""| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""")

# The Qwen2-VL / Qwen2.5-VL chat template, byte for byte (TRL recognises it).
CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}"
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}"
    "{{ message['content'] }}<|im_end|>\n{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}"
    "Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}"
    "{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}"
    "Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

# The words of the shapes world; each should become one token (with and without a leading space).
WORDS = """
red green blue yellow purple orange black white gray grey pink brown colour color colours colors
circle square triangle star circles squares triangles stars shape shapes object objects box boxes
how many what which where when who why is are was were be there here it its this that these those
the a an of in on at to from by for with without and or not no yes none all each every only both
left right above below top bottom center centre middle corner next between near far inside outside
up down first second third fourth fifth last frame frames video image images picture scene clip
appears appear moves move moving moved stays stay still changes change disappears begins ends
count counts number numbers total sum plus minus times divided equals equal value result answer
answers question questions solve compute calculate find give describe description tell show
think thinking reason reasoning step steps so then therefore thus because final let me we i you
see look looks more less than most least largest smallest biggest big small large tiny
same different other another one two three four five six seven eight nine ten eleven twelve zero
half double fraction fractions equation expression simplify evaluate x y z n k
option options choose choice correct true false letter select coordinates region point bounding
located location position size area width height side sides corners background foreground
user assistant system helpful please ok okay has have does do can could would should will
leftmost rightmost highest lowest across missing seen gone disappear event time problem them
add best grid row column line lines mixed integer math if else
""".split()
MATH_BITS = ["\\frac", "\\sqrt", "\\times", "\\cdot", "\\div", "\\boxed", "\\pi", "\\left", "\\right"]


def corpus_lines(n: int = 3000, rng_seed: int = 0) -> list[str]:
    """Generated text of the shapes world and simple math; fixed (no dependence on model seed)."""
    rng = random.Random(rng_seed)
    lines = []
    for word in WORDS + MATH_BITS:  # weighted so that every form below is one token at vocab 2048
        cap = word.capitalize()
        lines += [" " + word] * 20 + [cap] * 10 + [" " + cap] * 5 + [word] * 5
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 12))]
        lines.append(" ".join(words).capitalize() + rng.choice([".", "?", "", ",", ":", "!"]))
        a, b, c = rng.randint(0, 99), rng.randint(1, 99), rng.randint(0, 1000)
        op = rng.choice("+-*/=^")
        lines.append(f"\\frac{{{a}}}{{{b}}} {op} x^{{2}} - (y*{b}) = {a}.{b}; \\boxed{{{a}}}")
        lines.append(f"<think>[{c}, {a}, {b}, {c}] ({a},{b}),({b},{c})</think> {a} {op} {b} = {c}")
    return lines


def train_tokenizer(vocab_size: int = 2048, extra_corpus: list[str] | None = None):
    """A byte-level BPE trained on the generated corpus, wrapped as transformers' Qwen2Tokenizer."""
    from transformers import Qwen2Tokenizer

    raw = Tokenizer(BPE(unk_token=None, continuing_subword_prefix="", end_of_word_suffix="",
                        fuse_unk=False, byte_fallback=False))
    raw.normalizer = normalizers.NFC()
    raw.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(PRETOKENIZE_REGEX), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    raw.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, min_frequency=2, show_progress=False,
        special_tokens=SPECIAL_TOKENS + THINK_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    raw.train_from_iterator(corpus_lines() + list(extra_corpus or []), trainer=trainer)
    model = json.loads(raw.to_str())["model"]
    tok = Qwen2Tokenizer(
        vocab=model["vocab"], merges=[tuple(m) for m in model["merges"]], unk_token=None,
        eos_token="<|im_end|>", pad_token="<|endoftext|>", extra_special_tokens=SPECIAL_TOKENS[1:],
        model_max_length=MAX_POSITIONS, chat_template=CHAT_TEMPLATE)
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in THINK_TOKENS])
    return tok


def make_processor(tokenizer, max_pixels: int = 112 * 112):
    """Qwen2VLProcessor: PIL image processor + video processor (torchvision's Python transforms)."""
    from transformers import Qwen2VLImageProcessorPil, Qwen2VLProcessor, Qwen2VLVideoProcessor

    common = dict(min_pixels=MIN_PIXELS, max_pixels=max_pixels, patch_size=PATCH,
                  merge_size=MERGE, temporal_patch_size=TEMPORAL_PATCH)
    return Qwen2VLProcessor(
        image_processor=Qwen2VLImageProcessorPil(**common),
        video_processor=Qwen2VLVideoProcessor(**common, cap_pixels_per_frame=True,
                                              max_video_tokens=MAX_POSITIONS),
        tokenizer=tokenizer, chat_template=CHAT_TEMPLATE)


def mrope_section(head_dim: int) -> list[int]:
    """Qwen's 16:24:24 split of head_dim/2 rotary pairs into (time, height, width)."""
    half = head_dim // 2
    hw = (half - half // 4) // 2
    return [half - 2 * hw, hw, hw]


def make_config(preset: Preset, tokenizer):
    """A Qwen2VLConfig whose token ids match `tokenizer` and whose merger feeds the text width."""
    from transformers import Qwen2VLConfig

    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    head_dim = preset.hidden // preset.heads
    text = dict(
        vocab_size=len(tokenizer), hidden_size=preset.hidden, intermediate_size=preset.intermediate,
        num_hidden_layers=preset.text_layers, num_attention_heads=preset.heads,
        num_key_value_heads=preset.kv_heads, max_position_embeddings=MAX_POSITIONS,
        max_window_layers=preset.text_layers,
        rope_parameters={"rope_type": "default", "rope_theta": ROPE_THETA,
                         "mrope_section": mrope_section(head_dim)},
        bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"])
    vision = dict(
        depth=preset.vision_depth, embed_dim=preset.vision_width, hidden_size=preset.hidden,
        num_heads=preset.vision_heads, mlp_ratio=4, patch_size=PATCH, spatial_merge_size=MERGE,
        temporal_patch_size=TEMPORAL_PATCH)
    return Qwen2VLConfig(
        text_config=text, vision_config=vision, tie_word_embeddings=False,
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"])


def count_params(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def default_cache_dir() -> Path:
    return Path(os.environ.get("VLRL_CACHE", Path.home() / ".cache" / "vlrl" / "models")).expanduser()


def cache_name(preset: str, seed: int, extra_corpus: list[str] | None) -> str:
    name = f"qwen2vl-{preset}-seed{seed}-v{VERSION}"
    if extra_corpus:
        digest = hashlib.sha256("\n".join(extra_corpus).encode()).hexdigest()[:10]
        name += f"-corpus{digest}"
    return name


def build_tiny(preset: str = "tiny", seed: int = 0, cache_dir: str | Path | None = None,
               extra_corpus: list[str] | None = None) -> Path:
    """Build (or reuse from the cache) a random-weight tiny Qwen2-VL; returns its saved dir."""
    if preset not in PRESETS:
        raise ValueError(f"unknown tiny model preset {preset!r}; known presets: {', '.join(PRESETS)}")
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    final = root / cache_name(preset, seed, extra_corpus)
    if (final / "config.json").exists():
        return final
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{final.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        save_tiny(PRESETS[preset], seed, tmp, extra_corpus)
        try:
            os.rename(tmp, final)
        except OSError:  # another builder finished first: keep theirs
            if not (final / "config.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def save_tiny(preset: Preset, seed: int, out: Path, extra_corpus: list[str] | None = None) -> None:
    """Build tokenizer, processor and random-weight model, and save them all into `out`."""
    from transformers import GenerationConfig, Qwen2VLForConditionalGeneration

    tokenizer = train_tokenizer(preset.vocab_size, extra_corpus)
    processor = make_processor(tokenizer, preset.max_pixels)
    config = make_config(preset, tokenizer)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = Qwen2VLForConditionalGeneration(config).to(torch.float32)
    pad, eos = tokenizer.pad_token_id, tokenizer.eos_token_id
    model.generation_config = GenerationConfig(bos_token_id=pad, eos_token_id=[eos, pad], pad_token_id=pad)
    out.mkdir(parents=True)
    model.save_pretrained(out)
    processor.save_pretrained(out)
    info = {"preset": asdict(preset), "seed": seed, "version": VERSION, "params": count_params(model)}
    (out / "vlrl_tiny.json").write_text(json.dumps(info, indent=1) + "\n")
