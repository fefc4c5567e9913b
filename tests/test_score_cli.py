"""`python -m rewards.score`: routing, output keys, resume after truncation and after a kill, bad
lines with their line numbers, --no-format, one-line errors with exit code 2, a 10k-line file."""
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

PLUGINS = Path(__file__).parent / "plugins"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PLUGINS))

from rewards.score import main  # noqa: E402

KEYS = {"id", "reward", "rewards", "format_ok", "elapsed_s"}


def think(solution: str) -> str:
    return f"<think>let me see</think>{solution}"


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def recipe(tmp_path) -> Path:
    path = tmp_path / "recipe.yaml"
    path.write_text("rewards:\n  workers: 2\n  timeout_s: 20\n  plugins: [misbehaving]\n  tasks:\n"
                    "    math: {sources: {math: 1.0}}\n    format: {sources: {}}\n"
                    "    slow: {sources: {'misbehaving:by_field': 1.0}}\n")
    return path


MIXED = [
    {"id": "m1", "task": "math", "answer": "0.5", "response": think(r"\boxed{\frac{1}{2}}")},
    {"id": "m2", "task": "math", "answer": "7", "response": think(r"\boxed{8}")},
    {"id": "c1", "task": "count", "answer": 4, "response": think("4")},
    {"id": "h1", "task": "choice", "answer": "C", "response": think("The answer is C")},
    {"id": "g1", "task": "grounding", "answer": [10, 20, 110, 120], "coord_space": "pixel",
     "image_size": [200, 200], "response": think("[10, 20, 110, 120]")},
    {"id": "f1", "task": "format", "response": think("ok")},
    {"id": "f2", "task": "format", "response": "no think"},
]


def test_default_recipe_routes_each_task(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", MIXED)
    out = tmp_path / "out.jsonl"
    assert main([str(src), "-o", str(out), "--workers", "2"]) == 0   # recipes/hybrid_rl.yaml
    rows = read_rows(out)
    assert all(set(r) == KEYS for r in rows)
    assert {r["id"]: r["reward"] for r in rows} == {"m1": 1.0, "m2": 0.0, "c1": 1.0, "h1": 1.0, "g1": 1.0,
                                                    "f1": 1.0, "f2": 0.0}
    assert rows[0]["rewards"] == {"math": 1.0} and rows[6]["format_ok"] is False
    table = capsys.readouterr().out
    assert "mean reward" in table and "grounding" in table


def test_no_format_scores_bare_answers_but_still_gates_the_format_task(tmp_path, recipe):
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "task": "math", "answer": "3", "response": r"\boxed{3}"},
                                              {"id": 2, "task": "format", "response": "3"}])
    out = tmp_path / "out.jsonl"
    assert main(["--recipe", str(recipe), str(src), "-o", str(out), "--no-format"]) == 0
    assert [(r["reward"], r["format_ok"]) for r in read_rows(out)] == [(1.0, None), (0.0, False)]


def test_resume_after_a_truncated_last_line(tmp_path, recipe):
    rows = [{"id": i, "task": "math", "answer": str(i), "response": think(rf"\boxed{{{i}}}")} for i in range(60)]
    src, out = write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    args = ["--recipe", str(recipe), str(src), "-o", str(out), "--batch-size", "7"]
    assert main(args) == 0
    text = out.read_text()
    lines = text.splitlines(keepends=True)
    out.write_text("".join(lines[:40]) + lines[40][:15])   # as if killed in the middle of a write
    assert main(args) == 0
    ids = [r["id"] for r in read_rows(out)]
    assert sorted(ids) == list(range(60)) and len(ids) == 60
    assert all(r["reward"] == 1.0 for r in read_rows(out))


def test_resume_after_a_kill(tmp_path, recipe):
    rows = [{"id": f"s{i}", "task": "slow", "behave": "nap", "response": think("x")} for i in range(60)]
    src, out = write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "rewards.score", "--recipe", str(recipe), str(src), "-o", str(out), "--batch-size", "4"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PLUGINS), str(ROOT)])}
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while (not out.exists() or out.stat().st_size == 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_with = len(read_rows(out))
    assert 0 < killed_with < 60
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ids = [r["id"] for r in read_rows(out)]
    assert sorted(ids) == sorted(r["id"] for r in rows) and len(set(ids)) == 60
    assert f"{killed_with} already in the output" in done.stdout


def test_bad_lines_are_reported_with_line_numbers_and_skipped(tmp_path, recipe, capsys):
    good = {"id": 1, "task": "math", "answer": "2", "response": think(r"\boxed{2}")}
    lines = [good, "{not json", {"task": "math", "response": "x"}, {"id": 2, "task": "math"}, "",
             {"id": 3, "task": "algebra", "response": "x"}, {"id": 4, "task": "math", "response": 5},
             {"id": 1, "task": "math", "response": "x"}, "[1, 2]", {**good, "id": 5}]
    src, out = write_jsonl(tmp_path / "in.jsonl", lines), tmp_path / "out.jsonl"
    assert main(["--recipe", str(recipe), str(src), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    for n, what in [(2, "malformed JSON"), (3, "missing 'id'"), (4, "missing 'response'"),
                    (6, "unknown task 'algebra'"), (7, "response must be a string"),
                    (8, "duplicate id 1 (first on line 1)"), (9, "expected a JSON object")]:
        assert f"{src}:{n}: {what}" in err, (n, err)
    assert f"{src}:5:" not in err   # blank lines are fine
    assert [r["id"] for r in read_rows(out)] == [1, 5]


def test_errors_and_timeouts_appear_in_the_output(tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("rewards:\n  workers: 1\n  timeout_s: 1\n  plugins: [misbehaving]\n"
                      "  tasks: {slow: {sources: {'misbehaving:by_field': 1.0}}}\n")
    rows = [{"id": b, "task": "slow", "behave": b, "response": think("x")} for b in ("ok", "raise", "sleep", "die")]
    src, out = write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    assert main(["--recipe", str(recipe), str(src), "-o", str(out)]) == 0
    by_id = {r["id"]: r for r in read_rows(out)}
    assert set(by_id["ok"]) == KEYS
    assert "asked to raise" in by_id["raise"]["error"] and "died" in by_id["die"]["error"]
    assert by_id["sleep"]["timeouts"] == ["misbehaving:by_field"] and by_id["sleep"]["reward"] == 0.0


@pytest.mark.parametrize("args, message", [
    (["--recipe", "{tmp}/missing.yaml"], "recipe file not found"),
    (["--recipe", "{tmp}/bad.yaml"], "rewards.timeout: unknown key (did you mean 'timeout_s'?)"),
    (["--recipe", "{tmp}/ok.yaml", "--set", "rewards.tasks.math.sources={maths: 1}"], "unknown verifier 'maths'"),
    (["--recipe", "{tmp}/ok.yaml", "--set", "rewards.plugins=[nowhere]"], "cannot import verifier plugin module"),
    (["--recipe", "{tmp}/ok.yaml", "--batch-size", "0"], "--batch-size must be >= 1"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_bad_recipe_or_usage_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    (tmp_path / "bad.yaml").write_text("rewards:\n  timeout: 3\n")
    (tmp_path / "ok.yaml").write_text("rewards: {workers: 0}\n")
    src = write_jsonl(tmp_path / "in.jsonl", MIXED[:1])
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args] + [str(src), "-o", str(tmp_path / "out.jsonl")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out.jsonl").exists()


def make_mixed(n: int, seed: int = 0) -> list[dict]:
    rng, rows = random.Random(seed), []
    for i in range(n):
        k, v = i % 5, rng.randint(1, 50)
        right = rng.random() < 0.7
        got = v if right else v + 1
        if k == 0:
            rows.append({"id": i, "task": "math", "answer": f"{v}/4", "response": think(rf"\boxed{{\frac{{{got}}}{{4}}}}")})
        elif k == 1:
            rows.append({"id": i, "task": "count", "answer": v, "response": think(f"I count {got}.")})
        elif k == 2:
            rows.append({"id": i, "task": "choice", "answer": "ABCD"[v % 4], "response": think(f"Answer: {'ABCD'[got % 4]}")})
        elif k == 3:
            box = [v, v, v + 300, v + 300]
            pred = box if right else [v + 250, v, v + 550, v + 300]
            rows.append({"id": i, "task": "grounding", "answer": box, "response": think(json.dumps(pred))})
        else:
            rows.append({"id": i, "task": "format", "response": think("x") if right else "x"})
    return rows


def test_ten_thousand_mixed_lines(tmp_path, capsys):
    src, out = write_jsonl(tmp_path / "in.jsonl", make_mixed(10_000)), tmp_path / "out.jsonl"
    start = time.monotonic()
    assert main([str(src), "-o", str(out), "--workers", "2", "--set", "rewards.timeout_s=20"]) == 0
    took = time.monotonic() - start
    rows = read_rows(out)
    assert len(rows) == 10_000 and len({r["id"] for r in rows}) == 10_000
    assert 0.5 < sum(r["reward"] for r in rows) / len(rows) < 0.9
    assert took < 120, took
