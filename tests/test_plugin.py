"""docs/VERIFIERS.md, done exactly as written: the plugin module (tests/plugins/my_verifiers.py, outside
the package), the recipe, the CLI input and output, through HybridReward and `python -m rewards.score`."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = Path(__file__).parent / "plugins"
DOC = (ROOT / "docs" / "VERIFIERS.md").read_text()


def doc_block(name: str) -> str:
    match = re.search(rf"<!-- {name} -->\n```\w*\n(.*?)```", DOC, re.DOTALL)
    assert match, f"docs/VERIFIERS.md has no block {name!r}"
    return match.group(1)


@pytest.fixture
def recipe(tmp_path, monkeypatch) -> Path:
    monkeypatch.syspath_prepend(str(PLUGINS))   # "a directory on PYTHONPATH"
    path = tmp_path / "recipe.yaml"
    path.write_text(doc_block("plugin-recipe"))
    return path


def expected_rows() -> list[dict]:
    return [json.loads(line) for line in doc_block("cli-output").splitlines()]


def without_elapsed(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "elapsed_s"} for r in rows]


def test_the_plugin_module_is_the_one_in_the_doc():
    assert doc_block("plugin-module") in (PLUGINS / "my_verifiers.py").read_text()


def test_through_hybrid_reward(recipe):
    from rewards.hybrid import HybridReward
    from rl.config import load_recipe

    rows = [json.loads(line) for line in doc_block("cli-input").splitlines()]
    with HybridReward(load_recipe(recipe).rewards) as rewards:
        results = rewards.score([{k: v for k, v in r.items() if k != "response"} for r in rows],
                                [r["response"] for r in rows])
    got = [{"id": r["id"], "reward": res.reward, "rewards": res.rewards, "format_ok": res.format_ok}
           for r, res in zip(rows, results)]
    assert got == without_elapsed(expected_rows())
    assert results[1].details == {"my_verifiers:has_keyword": {"keyword": "cat"}}   # meta reached it


def test_through_the_cli(recipe, tmp_path):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(doc_block("cli-input"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PLUGINS), str(ROOT)])}
    done = subprocess.run([sys.executable, "-m", "rewards.score", "--recipe", str(recipe), str(src), "-o", str(out)],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert without_elapsed(rows) == without_elapsed(expected_rows())
    assert "word" in done.stdout and "mean reward" in done.stdout


def test_a_misspelt_plugin_verifier_fails_at_start_up(recipe, tmp_path):
    from rewards.score import main

    src = tmp_path / "in.jsonl"
    src.write_text(doc_block("cli-input"))
    code = main(["--recipe", str(recipe), str(src), "-o", str(tmp_path / "out.jsonl"),
                 "--set", "rewards.tasks.word.sources={exact_wrd: 1.0}"])
    assert code == 2 and not (tmp_path / "out.jsonl").exists()
