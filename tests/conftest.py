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
