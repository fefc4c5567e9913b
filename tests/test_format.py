import time

import pytest

from rewards.format import FormatVerdict, check_format, strip_end_tokens


@pytest.mark.parametrize(
    "response, thought, solution",
    [
        ("<think>count the shapes</think>There are 3.", "count the shapes", "There are 3."),
        ("  \n<think>a</think>\n<answer>B</answer>\n", "a", "<answer>B</answer>"),
        ("<think>x</think> 42<|im_end|>", "x", "42"),
        ("<think>x</think> 42<|endoftext|>\n", "x", "42"),
        ("<think>x</think> 42 <|im_end|><|endoftext|>", "x", "42"),
        ("<think>multi\nline</think>[1,2,3,4]", "multi\nline", "[1,2,3,4]"),
    ],
)
def test_strict_accepts(response, thought, solution):
    v = check_format(response)
    assert v == FormatVerdict(True, thought, solution, "ok")


@pytest.mark.parametrize(
    "response, reason",
    [
        ("", "missing <think> at start"),
        ("The answer is 3", "missing <think> at start"),
        ("Sure! <think>a</think>3", "missing <think> at start"),
        ("<think>never closed 3", "missing </think>"),
        ("<think>a<think>b</think>3", "nested or repeated <think>"),
        ("<think>a</think>3<think>b</think>4", "nested or repeated <think>"),
        ("<think>a</think>3</think>", "extra </think>"),
        ("<think>a</think>", "empty solution"),
        ("<think>a</think>   \n ", "empty solution"),
        ("<think>a</think><|im_end|>", "empty solution"),
        ("<think>  </think>3", "empty thought"),
        ("<think></think>3", "empty thought"),
    ],
)
def test_strict_rejects(response, reason):
    v = check_format(response, strict=True)
    assert not v.ok and v.reason == reason and v.solution == ""
    assert check_format(response, "strict").reason == reason


@pytest.mark.parametrize(
    "response, solution",
    [
        ("Sure! <think>a</think>3", "3"),
        ("<think></think>3", "3"),
        ("<think>a</think>x<think>b</think> 4", "4"),
        ("<think>a<think>b</think>c</think>5<|im_end|>", "5"),
        ("<think>a</think>3", "3"),
    ],
)
def test_lenient_accepts(response, solution):
    v = check_format(response, strict=False)
    assert v.ok and v.solution == solution and v.reason == "ok"
    assert check_format(response, "lenient").solution == solution


@pytest.mark.parametrize(
    "response, reason",
    [
        ("no tags at all 3", "missing <think>"),
        ("3 </think>", "missing <think>"),
        ("<think>never closed", "missing </think>"),
        ("</think>3<think>", "missing </think>"),
        ("<think>a</think>3<think>more thinking", "missing </think>"),
        ("<think>a</think>  ", "empty solution"),
    ],
)
def test_lenient_rejects(response, reason):
    v = check_format(response, "lenient")
    assert not v.ok and v.reason == reason


def test_lenient_thought_spans_first_open_to_last_close():
    v = check_format("pre <think>a</think>b</think> 7", "lenient")
    assert v.thought == "a</think>b" and v.solution == "7"


def test_prefilled_think():
    assert check_format("reasoning</think>3", prefilled_think=True).solution == "3"
    assert check_format("reasoning</think>3").reason == "missing <think> at start"
    assert check_format("<think>x</think>3", prefilled_think=True).reason == "nested or repeated <think>"


def test_unknown_mode():
    with pytest.raises(ValueError, match="unknown format mode"):
        check_format("<think>a</think>3", "loose")


def test_none_response():
    assert check_format(None).reason == "missing <think> at start"  # type: ignore[arg-type]


def test_strip_end_tokens_only_at_end():
    assert strip_end_tokens("a<|im_end|>b<|im_end|>") == "a<|im_end|>b"
    v = check_format("<think>a</think>b<|im_end|>c")
    assert v.ok and v.solution == "b<|im_end|>c"


@pytest.mark.parametrize(
    "response",
    [
        "<think>" * 20000,
        "</think>" * 20000,
        "\x00" * 100_000,
        "<think>" + "a" * 100_000,
        "<think>" + "\x00" * 100_000 + "</think>" + "b" * 100_000,
        "<|im_end|>" * 10_000,
        "<think>a</think>" + "<|im_end|> " * 10_000,
    ],
)
@pytest.mark.parametrize("mode", ["strict", "lenient"])
def test_long_inputs_are_fast(response, mode):
    start = time.process_time()
    check_format(response, mode)
    assert time.process_time() - start < 1.0
