"""The judge's engine: a rollout engine (rl/engines.py: vLLM in-process, or HF) used for greedy
verdicts and for the log-probs of chosen tokens at the next position (the `expected` score).

A request is (chat messages, images); the processor's chat template makes the text. A request that
does not fit `max_model_len` is not sent: its result is None (the judge scores it as unreadable).
"""
from __future__ import annotations

import logging

import torch

from rl.engines import PromptInput, Sampling, make_engine

log = logging.getLogger(__name__)


def score_token_ids(tokenizer, prefix: str) -> tuple[dict[int, int], tuple[int, int] | None]:
    """({score: token id} for the single-token scores, ("1", "0") ids when "10" is two tokens)."""
    base = tokenizer.encode(prefix, add_special_tokens=False)
    seqs = {}
    for k in range(1, 11):
        ids = tokenizer.encode(prefix + str(k), add_special_tokens=False)
        if ids[: len(base)] != base:
            raise ValueError(f"judge: the tokenizer merges {prefix!r} with {k}; cannot read score log-probs")
        seqs[k] = ids[len(base):]
    single = {k: s[0] for k, s in seqs.items() if len(s) == 1}
    if any(k not in single for k in range(1, 10)):
        raise ValueError("judge: expected mode needs the scores 1..9 to be single tokens")
    if 10 in single:
        return single, None
    if len(seqs[10]) == 2 and seqs[10][0] == single[1]:
        return single, (single[1], seqs[10][1])
    raise ValueError(f"judge: cannot read the score 10 from its tokens {seqs[10]}")


class JudgeBackend:
    def __init__(self, engine, processor, max_model_len: int):
        self.engine, self.processor, self.max_model_len = engine, processor, max_model_len
        self._score_ids = None

    @classmethod
    def start(cls, config) -> "JudgeBackend":
        from transformers import AutoProcessor

        from model.load import resolve_model_path
        from rl.schema import RolloutConfig

        path = str(resolve_model_path(config.model, seed=config.seed))
        processor = AutoProcessor.from_pretrained(path, local_files_only=True)
        engine_cfg = RolloutConfig(engine=config.engine, max_model_len=config.max_model_len,
                                   max_images=config.max_images, kv_cache_gib=config.kv_cache_gib, seed=config.seed)
        engine = make_engine(config.engine, path, engine_cfg, config.dtype, config.seed)
        return cls(engine, processor, config.max_model_len)

    def inputs(self, requests: list, prefix: str = "", room: int = 1) -> list[PromptInput | None]:
        """Engine inputs of (messages, images) requests; None for one that leaves < `room` tokens."""
        from rl.rollout import expand_placeholders

        out = []
        for messages, images in requests:
            text = self.processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True) + prefix
            text_ids = self.processor.tokenizer(text, add_special_tokens=False).input_ids
            ids = expand_placeholders(self.processor, text_ids, images)
            if len(ids) + room > self.max_model_len:
                log.warning("judge: a request of %d tokens does not fit max_model_len %d", len(ids), self.max_model_len)
                out.append(None)
            else:
                out.append(PromptInput(None, text, images, text_ids, ids))
        return out

    def generate(self, requests: list, max_tokens: int) -> list[str | None]:
        """Greedy verdicts (None where the request does not fit)."""
        inputs = self.inputs(requests, room=1)
        ready = [p for p in inputs if p is not None]
        outs = iter(self.engine.generate(ready, 1, Sampling(temperature=0.0, max_tokens=max_tokens)) if ready else [])
        return [None if p is None else next(outs).completions[0].text for p in inputs]

    def expected_scores(self, requests: list, prefix: str) -> list[float | None]:
        """Expected 1..10 score after `prefix` from the score tokens' log-probs (None: did not fit)."""
        from rewards.judge import expected_score

        if self._score_ids is None:
            self._score_ids = score_token_ids(self.processor.tokenizer, prefix)
        single, ten = self._score_ids
        inputs = self.inputs(requests, prefix, room=2)
        ready = [p for p in inputs if p is not None]
        batch = ready + ([self.extended(p, "1") for p in ready] if ten else [])
        logps = self.next_logprobs(batch, sorted(set(single.values()) | ({ten[1]} if ten else set())))
        firsts, zeros = logps[: len(ready)], logps[len(ready):]
        scores = iter(expected_score({k: lp[t] for k, t in single.items()}, zeros[i][ten[1]] if ten else None)
                      for i, lp in enumerate(firsts))
        return [None if p is None else next(scores) for p in inputs]

    def extended(self, p: PromptInput, more: str) -> PromptInput:
        extra = self.processor.tokenizer(more, add_special_tokens=False).input_ids
        return PromptInput(p.item, p.text + more, p.images, p.text_ids + extra, p.prompt_ids + extra)

    def next_logprobs(self, prompts: list[PromptInput], token_ids: list[int]) -> list[dict[int, float]]:
        """{token id: log-prob} at the position after each prompt, for the given tokens."""
        if not prompts:
            return []
        if hasattr(self.engine, "llm"):
            return vllm_next_logprobs(self.engine.llm, prompts, token_ids)
        return hf_next_logprobs(self.engine.model, self.processor, prompts, token_ids)


def vllm_next_logprobs(llm, prompts: list[PromptInput], token_ids: list[int]) -> list[dict[int, float]]:
    from vllm import SamplingParams

    from rl.engines import vllm_input

    params = SamplingParams(max_tokens=1, temperature=0.0, logprob_token_ids=list(token_ids))
    outs = llm.generate([vllm_input(p) for p in prompts], params, use_tqdm=False)
    return [{t: o.outputs[0].logprobs[0][t].logprob for t in token_ids} for o in outs]


@torch.no_grad()
def hf_next_logprobs(model, processor, prompts: list[PromptInput], token_ids: list[int]) -> list[dict[int, float]]:
    images = [im for p in prompts for im in p.images]
    inputs = processor(text=[p.text for p in prompts], images=images or None, padding=True,
                       padding_side="left", return_tensors="pt").to(model.device)
    logp = torch.log_softmax(model(**inputs).logits[:, -1].float(), dim=-1)[:, token_ids].cpu()
    return [dict(zip(token_ids, row.tolist())) for row in logp]
