"""A reward with spread even for a random-weight model, so RL tests see non-zero advantages."""
from verifiers import verifier


@verifier("length_parity")
def length_parity(sample, response):
    return float(len(response) % 2)
