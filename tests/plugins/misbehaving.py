"""Verifiers that misbehave, for the pool's tests: used as "misbehaving:<function>"."""
import os
import time

from verifiers import verifier


@verifier("always_one")
def always_one(sample, response):
    return 1.0


def sleep_30(sample, response):
    time.sleep(30)
    return 1.0


def raise_error(sample, response):
    raise ValueError("broken verifier")


def die(sample, response):
    os._exit(3)


def half(sample, response):
    return 0.5


def not_applicable(sample, response):
    return None


def by_field(sample, response):
    """Misbehaves as the sample says ("behave": ok | nap | sleep | raise | die); else 1.0."""
    behave = sample.get("behave", "ok")
    if behave == "nap":
        time.sleep(0.1)
    elif behave == "sleep":
        time.sleep(30)
    elif behave == "raise":
        raise RuntimeError("asked to raise")
    elif behave == "die":
        os._exit(3)
    return 1.0


def sympy_path_ready(sample, response):
    """1.0 when the worker started with math-verify's sympy path already imported (rewards/pool.py
    preloads verifiers/warm.py in the forkserver), so no first check pays for the imports."""
    import sys

    return float(all(m in sys.modules for m in ("math_verify", "latex2sympy2_extended", "sympy")))
