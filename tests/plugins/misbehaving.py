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
