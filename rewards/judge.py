"""Generative judge: a VLM shown the same image(s) and prompt as the policy, plus the solution.

    judge = Judge(JudgeConfig(model="tiny:small", mode="expected"), image_root=data_dir)
    judge.score(samples, solutions) -> [0..1]      # the reward-model protocol (rewards/hybrid.py)
    judge.compare(samples, a, b)    -> [0..1]      # P(a is better than b), both orders averaged

Modes: `pointwise` generates a verdict and reads a 1-10 score from it (`parse_score`); `expected`
prefills "Score: " and takes the expected score from the log-probs of the score tokens 1..10 (a
smoother reward); `pairwise` compares with a reference answer or another solution to the same prompt,
judged in both orders so that a bias to one position cancels. Scores map 1..10 -> 0..1. A sample
with a reference (`reference`, else a non-null `answer`) gets the reference-guided template.

Templates are text files (rewards/templates/, or any file named in the recipe) with placeholders
{question} {response} {reference} {response_a} {response_b}, filled in one pass (model text is
never re-scanned or executed). A verdict that cannot be read is counted (`judge.stats`) and scored
`unparsed_score`. The engine (vLLM in-process by default, or HF) starts on first use, so a Judge
can be handed to a Ray actor before it has one.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

from model.prompts import item_field, load_images, user_content
from tasks.io import answer_text

TEMPLATES = Path(__file__).parent / "templates"
PLACEHOLDER = re.compile(r"\{(question|response|reference|response_a|response_b)\}")
NEEDS = {"pointwise": ("response",), "pairwise": ("response_a", "response_b")}
SCORE_PREFIX = "Score: "
LOW, HIGH = 1, 10

NUMBER = r"(\d+(?:\.\d+)?)"
MARKED_SCORE = [re.compile(r"\[\[\s*" + NUMBER + r"\s*\]\]"),
                re.compile(r"(?:score|rating)\s*(?:is|of|=|:)?\s*\**\s*" + NUMBER, re.I),
                re.compile(NUMBER + r"\s*(?:/|out of)\s*10\b", re.I)]
ANY_NUMBER = re.compile(r"(?<![\d.])" + NUMBER + r"(?![\d.])")
MARKED_CHOICE = [re.compile(r"\[\[\s*(A|B|C|tie)\s*\]\]", re.I),
                 re.compile(r"(?:verdict|winner|better answer)\s*(?:is|:)?\s*(?:answer\s*|a\s+)?\(?\b((?-i:A|B)|tie)\b",
                            re.I),
                 re.compile(r"\b(?:answer|response)\s+(A|B)\s+is\s+better\b", re.I),
                 re.compile(r"^\W*(A|B)\W*$")]
CHOICE_VALUE = {"a": 1.0, "b": 0.0, "c": 0.5, "tie": 0.5}


def parse_score(text: str, low: float = LOW, high: float = HIGH) -> float | None:
    """The score in a verdict: the last "[[7]]", else "Score: 7", else "7/10", else the last number in
    range. A marked score out of range is unreadable (None), not skipped."""
    for pattern in MARKED_SCORE:
        found = pattern.findall(text)
        if found:
            value = float(found[-1])
            return value if low <= value <= high else None
    for value in reversed([float(x) for x in ANY_NUMBER.findall(text)]):
        if low <= value <= high:
            return value
    return None


def parse_choice(text: str) -> float | None:
    """1.0 when the verdict prefers answer A, 0.0 for B, 0.5 for a tie, None when unreadable."""
    for pattern in MARKED_CHOICE:
        found = pattern.findall(text.strip())
        if found:
            return CHOICE_VALUE[found[-1].lower()]
    return None


def expected_score(first: dict[int, float], logp_zero_after_one: float | None = None) -> float:
    """Expected score from the log-probs of the score tokens at the score position.

    `first` maps score -> log-prob of its (first) token, renormalised over the scores. When "10" is
    two tokens ("1", "0"), the mass of "1" splits by P("0" | "1"), `logp_zero_after_one`."""
    top = max(first.values())
    mass = {k: math.exp(v - top) for k, v in first.items()}
    total = sum(mass.values())
    probs = {k: m / total for k, m in mass.items()}
    if logp_zero_after_one is not None and 10 not in probs:
        p_ten = probs.get(1, 0.0) * math.exp(logp_zero_after_one)
        probs[1] -= p_ten
        probs[10] = p_ten
    return sum(k * p for k, p in probs.items())


def to_unit(score: float) -> float:
    return (score - LOW) / (HIGH - LOW)


def render(template: str, **values: str) -> str:
    """Fill the placeholders in one pass (a value containing "{response}" stays as it is)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def read_template(path, kind: str) -> str:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ValueError(f"judge template {str(path)!r}: {e}") from None
    missing = [p for p in NEEDS[kind] + ("question",) if "{" + p + "}" not in text]
    if missing:
        raise ValueError(f"judge template {str(path)!r} lacks {', '.join('{' + m + '}' for m in missing)}")
    return text


def reference_of(sample: dict) -> str | None:
    if sample.get("reference"):
        return str(sample["reference"])
    if sample.get("answer") is None:
        return None
    return answer_text(str(sample.get("task", "")), sample["answer"])


class Judge:
    def __init__(self, config, image_root=None, backend=None):
        self.config = config
        self.kind = "pairwise" if config.mode == "pairwise" else "pointwise"
        self.template = read_template(config.template or TEMPLATES / f"{self.kind}.txt", self.kind)
        self.reference_template = read_template(
            config.reference_template or TEMPLATES / f"{self.kind}_reference.txt", self.kind)
        self.image_root = None if image_root is None else str(image_root)
        self.backend = backend
        self.stats: Counter = Counter()   # judged, unparsed (unreadable or too long for the engine)

    def __getstate__(self):   # a Ray actor gets the settings; the engine starts there
        state = dict(self.__dict__)
        state["backend"] = None
        return state

    def engine(self):
        if self.backend is None:
            from rewards.judge_engine import JudgeBackend
            self.backend = JudgeBackend.start(self.config)
        return self.backend

    def close(self) -> None:
        self.backend = None

    # ---------------------------------------------------------------- the reward-model protocol
    def score(self, samples: list[dict], solutions: list[str]) -> list[float | None]:
        if self.config.mode == "pairwise":
            return self.score_pairwise(samples, solutions)
        prompts = [self.prompt(s, self.template_for(s), response=r) for s, r in zip(samples, solutions)]
        if self.config.mode == "expected":
            raw = self.engine().expected_scores(prompts, SCORE_PREFIX)
        else:
            raw = [None if t is None else parse_score(t) for t in self.engine().generate(prompts, self.config.max_tokens)]
        return [self.finish(s) for s in raw]

    def compare(self, samples: list[dict], a: list[str], b: list[str]) -> list[float | None]:
        """P(a better than b): the verdicts on (a, b) and on (b, a) averaged (position bias cancels)."""
        prompts = [self.prompt(s, self.template_for(s), response_a=x, response_b=y) for s, x, y in zip(samples, a, b)]
        prompts += [self.prompt(s, self.template_for(s), response_a=y, response_b=x) for s, x, y in zip(samples, a, b)]
        texts = self.engine().generate(prompts, self.config.max_tokens)
        n, out = len(samples), []
        for first, second in zip(texts[:n], texts[n:]):
            v1 = None if first is None else parse_choice(first)
            v2 = None if second is None else parse_choice(second)
            votes = ([v1] if v1 is not None else []) + ([1.0 - v2] if v2 is not None else [])
            out.append(self.count(sum(votes) / len(votes) if votes else None))
        return out

    def score_pairwise(self, samples: list[dict], solutions: list[str]) -> list[float | None]:
        """Each solution against the reference answer, else against the next solution to the same
        prompt in the batch (cyclic); with neither, against itself (0.5 from an unbiased judge)."""
        groups: dict[str, list[int]] = {}
        for i, sample in enumerate(samples):
            groups.setdefault(repr((sample.get("prompt"), sample.get("images"))), []).append(i)
        rivals = []
        for i, sample in enumerate(samples):
            same = groups[repr((sample.get("prompt"), sample.get("images")))]
            ref = reference_of(sample)
            rivals.append(ref if ref is not None else solutions[same[(same.index(i) + 1) % len(same)]])
        return self.compare(samples, solutions, rivals)

    # ---------------------------------------------------------------- helpers
    def template_for(self, sample: dict) -> str:
        return self.reference_template if reference_of(sample) is not None else self.template

    def prompt(self, sample: dict, template: str, **responses: str):
        """(chat messages, images) of one judge request: the sample's images, then the filled template."""
        if self.image_root and not item_field(sample, "image_root"):
            sample = {**sample, "image_root": self.image_root}
        text = render(template, question=str(sample.get("prompt", "")), reference=reference_of(sample) or "",
                      **responses)
        content = user_content(sample)[:-1] + [{"type": "text", "text": text}]
        return [{"role": "user", "content": content}], load_images(sample)

    def finish(self, score: float | None) -> float | None:
        return self.count(None if score is None else to_unit(score))

    def count(self, value: float | None) -> float | None:
        self.stats["judged"] += 1
        if value is None:
            self.stats["unparsed"] += 1
            return self.config.unparsed_score
        return value
