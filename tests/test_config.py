from pathlib import Path

import pytest
import yaml

from rl.config import ConfigError, dump_recipe, load_recipe

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path, text, name="r.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(path, overrides=()):
    with pytest.raises(ConfigError) as info:
        load_recipe(path, list(overrides))
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def test_default_recipe_loads():
    recipe = load_recipe(ROOT / "recipes" / "hybrid_rl.yaml")
    assert recipe.output_dir
    assert [s.kind for s in recipe.stages][0] == "data"
    assert set(recipe.rewards.tasks) >= {"math", "grounding", "count", "choice", "format"}


def test_gpu_recipe_loads():
    """recipes/hybrid_rl_gpu.yaml passes the same checks (its model is a local checkpoint path,
    read only when a stage loads it)."""
    recipe = load_recipe(ROOT / "recipes" / "hybrid_rl_gpu.yaml")
    assert [s.kind for s in recipe.stages] == ["data", "sft", "rl", "rft", "rl"]
    assert recipe.ppo.estimator == "gae" and recipe.ppo.trains_critic


def test_unknown_key_names_line_and_suggests(tmp_path):
    path = write(tmp_path, "seed: 1\ntasks:\n  n_train: 10\n  difficulty:\n    max_shapez: 3\n")
    msg = error_of(path)
    assert msg.startswith(f"{path}:5: tasks.difficulty.max_shapez: unknown key")
    assert "did you mean 'max_shapes'" in msg


def test_unknown_top_level_key_lists_known(tmp_path):
    msg = error_of(write(tmp_path, "zzz: 1\n"))
    assert ":1: zzz: unknown key" in msg and "output_dir" in msg


def test_wrong_type_is_an_error(tmp_path):
    msg = error_of(write(tmp_path, "tasks:\n  n_train: ten\n"))
    assert ":2: tasks.n_train:" in msg and "integer" in msg and "'ten'" in msg


def test_string_for_bool_and_float(tmp_path):
    assert "smoke" in error_of(write(tmp_path, "smoke: maybe\n"))
    assert "rewards.format.fail_reward" in error_of(write(tmp_path, "rewards:\n  format:\n    fail_reward: low\n"))


def test_value_checks(tmp_path):
    msg = error_of(write(tmp_path, "tasks:\n  difficulty:\n    min_shapes: 4\n    max_shapes: 2\n"))
    assert "min_shapes (4) > max_shapes (2)" in msg
    assert "tasks.n_heldout" in error_of(write(tmp_path, "tasks:\n  n_heldout: 0\n"))


def test_unknown_stage_kind(tmp_path):
    msg = error_of(write(tmp_path, "stages:\n  - kind: data\n  - kind: dance\n"))
    assert ":3: stages.1.kind: unknown kind 'dance'" in msg


def test_repeated_stage_names(tmp_path):
    assert "repeated: data" in error_of(write(tmp_path, "stages:\n  - kind: data\n  - kind: data\n"))


def test_missing_file_and_bad_yaml(tmp_path):
    assert "recipe file not found" in error_of(tmp_path / "nope.yaml")
    assert "invalid YAML" in error_of(write(tmp_path, "a: [1, 2\n"))
    assert "mapping" in error_of(write(tmp_path, "- 1\n- 2\n"))


def test_overrides_apply_and_keep_defaults(tmp_path):
    path = write(tmp_path, "tasks:\n  n_train: 10\n")
    recipe = load_recipe(path, ["tasks.n_train=3", "output_dir=/tmp/x", "smoke=true", "resume=true",
                                "rewards.tasks.math.sources.math=2", "tasks.names=[count,math]"])
    assert recipe.tasks.n_train == 3 and recipe.smoke and recipe.resume
    assert recipe.output_dir == "/tmp/x"
    assert recipe.rewards.tasks["math"].sources == {"math": 2.0}
    assert "grounding" in recipe.rewards.tasks          # other defaults of the section kept
    assert recipe.tasks.names == ["count", "math"]
    assert recipe.tasks.n_heldout == 100


def test_override_errors_name_the_override(tmp_path):
    path = write(tmp_path, "seed: 1\n")
    assert error_of(path, ["tasks.n_trian=3"]).startswith("override 'tasks.n_trian=3': tasks.n_trian: unknown key (did you mean 'n_train'?)")
    assert error_of(path, ["seed=abc"]).startswith("override 'seed=abc': seed:")
    assert "expected key.sub=value" in error_of(path, ["seed"])
    assert "no list item 7" in error_of(path, ["stages.7.name=x"])


def test_dump_is_loadable_and_complete(tmp_path):
    recipe = load_recipe(write(tmp_path, "seed: 5\n"))
    out = tmp_path / "config.yaml"
    dump_recipe(recipe, out)
    data = yaml.safe_load(out.read_text())
    assert data["seed"] == 5 and "rewards" in data and data["tasks"]["n_train"] == recipe.tasks.n_train
    assert load_recipe(out) == recipe
