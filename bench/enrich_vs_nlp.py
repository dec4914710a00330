"""Enrichment cost against raw spaCy: articles/s of `nlp.pipe` alone vs the whole enricher on the
same texts (titles and bodies), in one process. Prints both rates, the ratio, and the shares of
the rule coder and of the learned classifier (embedding included) against spaCy's own time."""

from __future__ import annotations

import argparse
import time

from bench.corpus import seed_corpus
from streams.enrich import Enricher


def measure(size: int, batch: int, repeats: int) -> dict[str, float]:
    articles = seed_corpus(size)
    enricher = Enricher()
    texts = [a.body for a in articles] + [a.title for a in articles]
    list(enricher.nlp.pipe(texts[:batch], batch_size=batch))  # warm-up
    enricher.enrich_batch(articles[:batch], batch_size=batch)
    raw_best = enrich_best = coder_best = classifier_best = float("inf")
    for _ in range(repeats):
        # the same run split in two: spaCy's passes, then our code over the parsed docs
        started = time.perf_counter()
        bodies = list(enricher.nlp.pipe((a.body for a in articles), batch_size=batch))
        titles = list(enricher.nlp.pipe((a.title for a in articles), batch_size=batch))
        parsed = time.perf_counter() - started
        started = time.perf_counter()
        drafts = [enricher._code(a, t, b) for a, t, b in zip(articles, titles, bodies, strict=True)]
        coded = time.perf_counter()
        enricher._classify(drafts, batch)
        classified = time.perf_counter()
        for draft in drafts:
            enricher._finish(draft)
        finished = time.perf_counter()
        coder_best = min(coder_best, (coded - started + finished - classified) / parsed)
        classifier_best = min(classifier_best, (classified - coded) / parsed)
        started = time.perf_counter()
        for _doc in enricher.nlp.pipe(texts, batch_size=batch):
            pass
        raw_best = min(raw_best, time.perf_counter() - started)
        started = time.perf_counter()
        enricher.enrich_batch(articles, batch_size=batch)
        enrich_best = min(enrich_best, time.perf_counter() - started)
    return {
        "articles": size,
        "nlp_pipe_articles_per_s": size / raw_best,
        "enrich_articles_per_s": size / enrich_best,
        "enrich_vs_nlp_ratio": raw_best / enrich_best,
        "coder_overhead_pct": (enrich_best / raw_best - 1) * 100,
        "coder_share_pct": coder_best * 100,
        "classifier_share_pct": classifier_best * 100,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=370)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    result = measure(args.articles, args.batch, args.repeats)
    print(f"nlp.pipe alone:        {result['nlp_pipe_articles_per_s']:8.1f} articles/s")
    print(f"enrichment (whole):    {result['enrich_articles_per_s']:8.1f} articles/s")
    print(
        f"ratio enrich / raw:    {result['enrich_vs_nlp_ratio']:8.3f}  (overhead {result['coder_overhead_pct']:.1f} %)"
    )
    print(f"coder on parsed docs:  {result['coder_share_pct']:8.1f} % of spaCy's time in the same run")
    print(f"learned classifier:    {result['classifier_share_pct']:8.1f} % of spaCy's time (embedding + model)")


if __name__ == "__main__":
    main()
