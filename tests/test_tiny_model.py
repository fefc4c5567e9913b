"""The tiny Qwen2-VL built in code (model/tiny.py) and the loader (model/load.py)."""
import gc
import json

import pytest
import torch
from PIL import Image

from model.load import (adapter_params, load_vlm, param_names, resolve_model_path, vision_modules,
                        vision_tower_params)
from model.tiny import PRESETS, SPECIAL_TOKENS, WORDS, build_tiny, count_params, mrope_section

SAVED_FILES = ["model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json",
               "processor_config.json", "chat_template.jinja", "generation_config.json"]


def red_image(size=112):
    return Image.new("RGB", (size, size), (220, 40, 40))


def chat_inputs(processor, question="How many red circles are there?"):
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]}]
    text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return text, processor(text=[text], images=[red_image()], return_tensors="pt")


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    model, processor = load_vlm(tiny_model_dir)
    return model, processor


def test_build_is_deterministic(tiny_model_dir, tmp_path):
    again = build_tiny("tiny", seed=0, cache_dir=tmp_path)
    other = build_tiny("tiny", seed=1, cache_dir=tmp_path)
    for name in SAVED_FILES:
        assert (again / name).read_bytes() == (tiny_model_dir / name).read_bytes(), name
    assert (other / "model.safetensors").read_bytes() != (again / "model.safetensors").read_bytes()
    assert (other / "tokenizer.json").read_bytes() == (again / "tokenizer.json").read_bytes()


def test_build_is_cached_and_leaves_no_temp_dirs(tmp_path):
    first = build_tiny("tiny", seed=3, cache_dir=tmp_path)
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    assert build_tiny("tiny", seed=3, cache_dir=tmp_path) == first
    assert (first / "model.safetensors").stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [first.name]


def test_extra_corpus_gets_its_own_cache_entry(tmp_path):
    plain = build_tiny("tiny", cache_dir=tmp_path)
    extra = build_tiny("tiny", cache_dir=tmp_path, extra_corpus=["hexagon hexagon hexagon"] * 50)
    assert plain != extra
    tok = json.loads((extra / "tokenizer.json").read_text())
    assert "Ġhexagon" in tok["model"]["vocab"]


def test_unknown_preset_lists_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="tiny, small"):
        build_tiny("huge", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="huge"):
        resolve_model_path("tiny:huge", cache_dir=tmp_path)


@pytest.mark.parametrize("preset,low,high", [("tiny", 0.5e6, 2e6), ("small", 5e6, 30e6)])
def test_param_counts_in_range(preset, low, high, tiny_model_dir, tmp_path):
    path = tiny_model_dir if preset == "tiny" else build_tiny(preset, cache_dir=tmp_path)
    model, _ = load_vlm(path)
    n = count_params(model)
    assert low <= n <= high
    assert json.loads((path / "vlrl_tiny.json").read_text())["params"] == n


def test_config_matches_tokenizer_and_vllm_limits(tiny):
    model, processor = tiny
    tok, cfg = processor.tokenizer, model.config
    ids = tok.convert_tokens_to_ids(SPECIAL_TOKENS)
    assert ids == list(range(len(SPECIAL_TOKENS)))  # fixed ids, in Qwen's order
    assert cfg.image_token_id == tok.convert_tokens_to_ids("<|image_pad|>")
    assert cfg.video_token_id == tok.convert_tokens_to_ids("<|video_pad|>")
    assert cfg.vision_start_token_id == tok.convert_tokens_to_ids("<|vision_start|>")
    assert cfg.vision_end_token_id == tok.convert_tokens_to_ids("<|vision_end|>")
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>"
    text = cfg.text_config
    head_dim = text.hidden_size // text.num_attention_heads
    assert head_dim in (32, 64, 80, 96, 112, 128)
    assert sum(text.rope_parameters["mrope_section"]) == head_dim // 2
    assert cfg.vision_config.hidden_size == text.hidden_size
    assert text.vocab_size == len(tok)


def test_mrope_section_sums_to_half_head_dim():
    for head_dim in (32, 64, 80, 96, 112, 128):
        assert sum(mrope_section(head_dim)) == head_dim // 2
    assert mrope_section(128) == [16, 24, 24]  # Qwen2-VL's own


def test_tokenizer_keeps_think_tags_and_words_are_single_tokens(tiny):
    tok = tiny[1].tokenizer
    text = "<think>I see 3 red circles.</think>3"
    ids = tok(text + "<|im_end|>").input_ids
    assert tok.decode(ids, skip_special_tokens=True) == text
    assert tok.decode(ids) == text + "<|im_end|>"
    for word in WORDS:
        for form in (" " + word, word, word.capitalize(), " " + word.capitalize()):
            assert len(tok(form).input_ids) == 1, form
    assert tok("<think>").input_ids == [tok.convert_tokens_to_ids("<think>")]


def test_processor_gives_16_image_tokens_for_112px(tiny):
    model, processor = tiny
    text, inputs = chat_inputs(processor)
    assert text.endswith("<|im_start|>assistant\n")
    assert "<|vision_start|><|image_pad|><|vision_end|>" in text
    assert int((inputs.input_ids == model.config.image_token_id).sum()) == 16
    assert inputs.image_grid_thw.tolist() == [[1, 8, 8]]


def test_video_of_4_frames_gives_32_video_tokens(tiny):
    model, processor = tiny
    frames = [red_image() for _ in range(4)]
    messages = [{"role": "user", "content": [{"type": "video"}, {"type": "text", "text": "What moves?"}]}]
    text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    inputs = processor(text=[text], videos=[frames], return_tensors="pt")
    assert int((inputs.input_ids == model.config.video_token_id).sum()) == 32  # 2 temporal patches x 16
    with torch.no_grad():
        assert torch.isfinite(model(**inputs).logits).all()


def test_forward_and_generate_with_an_image(tiny):
    model, processor = tiny
    _, inputs = chat_inputs(processor)
    with torch.no_grad():
        logits = model(**inputs).logits
    assert logits.shape == (1, inputs.input_ids.shape[1], model.config.text_config.vocab_size)
    assert torch.isfinite(logits).all()
    out = model.generate(**inputs, max_new_tokens=5, do_sample=False)
    assert out.shape[1] > inputs.input_ids.shape[1]


def test_freeze_options_freeze_exactly_tower_and_adapter(tiny_model_dir):
    every = {n for n, _ in load_vlm(tiny_model_dir)[0].named_parameters()}
    tower = {n for n in every if n.startswith("model.visual.") and ".merger." not in n}
    merger = {n for n in every if n.startswith("model.visual.merger.")}
    assert tower and merger
    cases = [(False, False, set()), (True, False, tower), (False, True, merger), (True, True, tower | merger)]
    for freeze_vision, freeze_adapter, frozen in cases:
        model, _ = load_vlm(tiny_model_dir, freeze_vision=freeze_vision, freeze_adapter=freeze_adapter)
        assert {n for n, p in model.named_parameters() if not p.requires_grad} == frozen


def test_vision_modules_in_the_qwen2_5_vl_layout(qwen2_5_vl):
    model = qwen2_5_vl
    tower, adapters = vision_modules(model)
    assert tower is model.model.visual and adapters == [model.model.visual.merger]
    merger = param_names(model, adapter_params(model))
    assert merger and all(n.startswith("model.visual.merger.") for n in merger)
    rest = param_names(model, vision_tower_params(model))
    assert rest and all(n.startswith("model.visual.") and ".merger." not in n for n in rest)


def test_bad_paths_give_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_vlm(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="no config.json"):
        load_vlm(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        resolve_model_path(str(tmp_path / "nope"))


def test_resolve_model_path(tiny_model_dir, tmp_path):
    assert resolve_model_path("tiny", cache_dir=tiny_model_dir.parent) == tiny_model_dir
    assert resolve_model_path("tiny:tiny", cache_dir=tiny_model_dir.parent) == tiny_model_dir
    assert resolve_model_path(str(tiny_model_dir)) == tiny_model_dir
    assert resolve_model_path("tiny", seed=2, cache_dir=tmp_path).name.startswith("qwen2vl-tiny-seed2")


@pytest.mark.slow
def test_vllm_generates_and_matches_hf_logprobs(tiny_model_dir, tiny):
    from vllm import LLM, SamplingParams

    model, processor = tiny
    text, inputs = chat_inputs(processor)
    llm = LLM(model=str(tiny_model_dir), dtype="float32", enforce_eager=True,
              distributed_executor_backend="uni", max_model_len=256,
              limit_mm_per_prompt={"image": 1}, seed=0)
    try:
        params = SamplingParams(temperature=1.0, max_tokens=12, logprobs=0, seed=0, ignore_eos=True)
        out = llm.generate([{"prompt": text, "multi_modal_data": {"image": red_image()}}], params)[0]
    finally:
        del llm
        gc.collect()
    sample = out.outputs[0]
    assert list(out.prompt_token_ids) == inputs.input_ids[0].tolist()
    assert len(sample.token_ids) == 12
    vllm_lp = torch.tensor([sample.logprobs[j][t].logprob for j, t in enumerate(sample.token_ids)])
    hf_lp = hf_logprobs(model, inputs, list(sample.token_ids))
    diff = (hf_lp - vllm_lp).abs()
    print(f"vLLM vs HF logprob abs diff: max {diff.max():.2e} mean {diff.mean():.2e}")
    assert diff.max() < 1e-3


def hf_logprobs(model, inputs, generated: list[int]) -> torch.Tensor:
    """Log-probs of `generated` after the prompt in `inputs`, by one HF forward pass."""
    gen = torch.tensor([generated])
    ids = torch.cat([inputs.input_ids, gen], 1)
    mm_types = torch.cat([inputs.mm_token_type_ids, torch.zeros_like(gen)], 1)  # Qwen2-VL needs it
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=torch.ones_like(ids), mm_token_type_ids=mm_types,
                       pixel_values=inputs.pixel_values, image_grid_thw=inputs.image_grid_thw).logits
    start = inputs.input_ids.shape[1] - 1
    logp = torch.log_softmax(logits[0, start:-1].float(), -1)
    return logp.gather(-1, gen[0][:, None])[:, 0]
