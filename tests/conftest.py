import os

import pytest

# Quiet, in-process vLLM on CPU (../shared/docs/STACK_NOTES.md) and no Ray auth token for local runs.
os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="also run tests marked slow (real vLLM/Ray, end to end)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny random-weight Qwen2-VL (model/tiny.py, preset "tiny", seed 0), built once per session."""
    from model.tiny import build_tiny

    return build_tiny("tiny", seed=0, cache_dir=tmp_path_factory.mktemp("tiny_models"))


@pytest.fixture
def qwen2_5_vl():
    """A fresh, tiny random-weight Qwen2.5-VL built from its config (the other supported layout)."""
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    text = dict(vocab_size=64, hidden_size=64, intermediate_size=64, num_hidden_layers=1,
                num_attention_heads=2, num_key_value_heads=1, bos_token_id=0, eos_token_id=1,
                rope_parameters={"rope_type": "default", "mrope_section": [4, 6, 6], "rope_theta": 1e4})
    vision = dict(depth=1, hidden_size=32, intermediate_size=32, num_heads=1, out_hidden_size=64,
                  fullatt_block_indexes=[0])
    return Qwen2_5_VLForConditionalGeneration(Qwen2_5_VLConfig(text_config=text, vision_config=vision))
