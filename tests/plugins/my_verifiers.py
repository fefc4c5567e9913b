"""The example plugin of docs/VERIFIERS.md (tests/test_plugin.py checks that the two agree)."""
from verifiers import Verdict, verifier


@verifier("exact_word")
def exact_word(sample, response):
    """1.0 when the solution is the gold word (case and surrounding space ignored)."""
    return response.strip().lower() == str(sample["answer"]).strip().lower()


def has_keyword(sample, response):
    """Not registered: used as "my_verifiers:has_keyword". None when the sample has no keyword."""
    keyword = sample.get("keyword")
    if keyword is None:
        return None
    return Verdict(float(keyword in response), {"keyword": keyword})
