"""The Lighthouse gate's own rules: which pages it runs on and how an exempt audit is scored.
(The real Lighthouse run over the demo is part of tests/test_check.py.)"""

from __future__ import annotations

import pytest

from resonanz.check.lighthouse import category_score, key_pages
from resonanz.check.site import Site


def report(scores: dict[str, float | None], weights: dict[str, float]) -> dict:
    return {
        "audits": {name: {"id": name, "title": name, "score": score}
                   for name, score in scores.items()},
        "categories": {"seo": {"auditRefs": [{"id": name, "weight": weights[name]}
                                             for name in scores]}},
    }


@pytest.mark.parametrize(("scores", "exempt", "expected", "failing"), [
    ({"is-crawlable": 0, "document-title": 1, "link-text": 1}, set(), 67, ["is-crawlable"]),
    ({"is-crawlable": 0, "document-title": 1, "link-text": 1}, {"is-crawlable"}, 100, []),
    # the exemption is for that audit only: another failure still counts
    ({"is-crawlable": 0, "document-title": 1, "link-text": 0}, {"is-crawlable"}, 50,
     ["link-text"]),
    # audits without a score (not applicable, manual) do not count at all
    ({"is-crawlable": 1, "document-title": None, "link-text": 1}, set(), 100, []),
])
def test_category_score_leaves_out_only_the_exempt_audit(scores, exempt, expected, failing):
    score, failed = category_score(report(scores, dict.fromkeys(scores, 1.0)), "seo", exempt)
    assert score == expected
    assert [audit["id"] for audit in failed] == failing


def test_key_pages_of_the_demo(demo_site):
    site = Site(demo_site.output)
    pages = {kind: site.rel(path) for kind, path in key_pages(site).items()}
    assert set(pages) == {"home", "post", "episode", "case-study", "search"}
    assert pages["home"] == "index.html" and pages["search"] == "suche/index.html"
    assert pages["episode"].startswith("episoden/") and "embed" not in pages["episode"]
    assert pages["case-study"].startswith("fallstudien/")
    post = site.document(site.root / pages["post"])
    assert post.xpath('//li[contains(@class,"responses-comment")]')
