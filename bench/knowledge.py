"""Knowledge search benchmark (KB-2): retrieval quality on real customer questions, latency.

Protocol (../shared/data/README.md): the knowledge base holds every ``sentence1`` of a split
as an article's question (duplicates merged); for each positive pair, ``sentence2`` is the
query and its ``sentence1`` the one relevant article. Reports MRR@10, Recall@1, Recall@5
and p50/p99 latency, for Kefu's search service (database index, published articles, the
same code path as the API: state check, scoring, article fetch, highlighting) and, in the
same run, for plain bm25s over jieba tokens (the baseline). Also: jieba vs rjieba, the
bot's precision when it answers, and p99 latency with 100,000 articles.

The evaluation data is read at run time and never stored in the repository:

    python bench/knowledge.py                 # both corpora, 100,000-article latency
    python bench/knowledge.py --large 0       # skip the large run
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def load_pairs(corpus: str) -> list[tuple[str, str, str]]:
    if corpus == "bq":
        with open(DATA / "bq" / "dev.csv", encoding="utf-8-sig", newline="") as f:
            return [(r["sentence1"], r["sentence2"], r["label"]) for r in csv.DictReader(f)]
    name = "train.txt" if corpus == "afqmc-train" else "dev.txt"
    rows = []
    with open(DATA / "afqmc" / name, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                rows.append((parts[0], parts[1], parts[2]))
    return rows


def protocol(pairs) -> tuple[list[str], list[tuple[str, int]]]:
    docs = sorted({p[0] for p in pairs})
    index = {d: i for i, d in enumerate(docs)}
    queries = [(p[1], index[p[0]]) for p in pairs if p[2] == "1"]
    return docs, queries


def metrics(ranked_lists, queries, latencies) -> dict[str, float]:
    mrr = r1 = r5 = 0.0
    for ranked, (_q, relevant) in zip(ranked_lists, queries, strict=True):
        if relevant in ranked[:10]:
            k = ranked.index(relevant)
            mrr += 1 / (k + 1)
            r1 += k == 0
            r5 += k < 5
    n = len(queries)
    lat = sorted(latencies)
    return {
        "mrr10": mrr / n,
        "r1": r1 / n,
        "r5": r5 / n,
        "p50": statistics.median(lat) * 1000,
        "p99": lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1000,
    }


def baseline(docs, queries) -> dict[str, float]:
    import logging

    import bm25s
    import jieba

    jieba.setLogLevel(logging.WARNING)

    def tok(s: str) -> list[str]:
        return [t for t in jieba.lcut(s) if t.strip() and not all(not c.isalnum() for c in t)]

    retriever = bm25s.BM25()
    retriever.index([tok(d) for d in docs], show_progress=False)
    ranked, lat = [], []
    for q, _rel in queries:
        t0 = time.perf_counter()
        tokens = tok(q)
        if tokens:
            res, _scores = retriever.retrieve([tokens], k=10, show_progress=False)
            ranked.append([int(x) for x in res[0]])
        else:
            ranked.append([])
        lat.append(time.perf_counter() - t0)
    return metrics(ranked, queries, lat)


# --- Kefu through the search service --------------------------------------------------------


def django_setup(db_path: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    os.environ.setdefault("KEFU_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_articles(questions: list[str], answers: list[str] | None = None) -> list[int]:
    """Published articles in bulk (the services' per-article path would take minutes for
    100,000); their index rows are analysed exactly as publishing does."""
    import uuid

    from django.db import connection, transaction
    from django.utils import timezone

    from kefu.knowledge import search
    from kefu.knowledge.models import (
        Article,
        ArticleVersion,
        SearchDocument,
        SearchIndexState,
    )

    search.reset_backend()
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        Article.objects.update(current_version=None, published_version=None)
        ArticleVersion.objects.all().delete()
        Article.objects.all().delete()
        SearchIndexState.objects.all().delete()
        state = SearchIndexState.objects.create(pk=1, generation=uuid.uuid4().hex)
    analyzer = search.analyzer_for(state.generation, 0)
    now = timezone.now()
    ids: list[int] = []
    batch = 2000
    for start in range(0, len(questions), batch):
        chunk = questions[start : start + batch]
        with transaction.atomic():
            articles = Article.objects.bulk_create(
                [Article(status="published", created_at=now, updated_at=now) for _ in chunk]
            )
            versions = ArticleVersion.objects.bulk_create(
                [
                    ArticleVersion(
                        article=a,
                        number=1,
                        title=q[:200],
                        question=q[:200],
                        answer_html=f"<p>{(answers[start + i] if answers else '')}</p>",
                        created_at=now,
                    )
                    for i, (a, q) in enumerate(zip(articles, chunk, strict=True))
                ]
            )
            for a, v in zip(articles, versions, strict=True):
                a.current_version = v
                a.published_version = v
            Article.objects.bulk_update(articles, ["current_version", "published_version"])
            SearchDocument.objects.bulk_create(
                [
                    SearchDocument(
                        article=a, seq=1, terms=search.version_terms(v, analyzer), live=True
                    )
                    for a, v in zip(articles, versions, strict=True)
                ]
            )
            ids.extend(a.pk for a in articles)
        print(f"  loaded {len(ids):,}/{len(questions):,} articles", end="\r", file=sys.stderr)
    print(file=sys.stderr)
    SearchIndexState.objects.filter(pk=1).update(seq=1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return ids


def kefu(docs, queries) -> tuple[dict[str, float], dict[str, float]]:
    from kefu.knowledge import selectors

    ids = load_articles(docs)
    position = {pk: i for i, pk in enumerate(ids)}
    selectors.search_articles(q="预热")  # first search loads the index: not a query's cost
    ranked, lat = [], []
    bot_answered = bot_right = 0
    for q, rel in queries:
        t0 = time.perf_counter()
        results = selectors.search_articles(q=q, limit=10)
        lat.append(time.perf_counter() - t0)
        ranking = [position[h.article.pk] for h in results.hits]
        ranked.append(ranking)
        hits = results.hits
        if hits:
            runner = hits[1].score if len(hits) > 1 else 0.0
            if (
                hits[0].confidence >= selectors.BOT_CONFIDENCE
                and hits[0].score >= selectors.BOT_MARGIN * runner
            ):
                bot_answered += 1
                bot_right += ranking[0] == rel
    bot = {
        "answered": bot_answered / len(queries),
        "precision": bot_right / bot_answered if bot_answered else 0.0,
    }
    return metrics(ranked, queries, lat), bot


def segmenters(docs, queries) -> dict[str, dict[str, float]]:
    """jieba vs rjieba: analysis speed and retrieval quality with the same engine."""
    from kefu.knowledge.analysis import Analyzer
    from kefu.knowledge.engine import Document, MemoryIndex

    out = {}
    texts = docs + [q for q, _ in queries]
    for name in ("jieba", "rjieba"):
        analyzer = Analyzer(segmenter=name)
        chars = sum(len(t) for t in texts)
        t0 = time.perf_counter()
        for t in texts:
            analyzer.segment(t)
        seg_seconds = time.perf_counter() - t0

        def terms(text: str, analyzer=analyzer) -> dict[str, list[str]]:
            a = analyzer.analyze(text)
            return {"words": a.words, "chars": a.chars, "sounds": a.sounds}

        index = MemoryIndex()
        index.rebuild(Document(key=i, terms={"questions": terms(d)}) for i, d in enumerate(docs))
        ranked, lat = [], []
        for q, _rel in queries:
            t0 = time.perf_counter()
            ranked.append([k for k, _s in index.search(terms(q), limit=10)])
            lat.append(time.perf_counter() - t0)
        result = metrics(ranked, queries, lat)
        result["chars_per_s"] = chars / seg_seconds
        out[name] = result
    return out


def large(n: int, seed: int) -> dict[str, float]:
    """p50/p99 of the search service with ``n`` articles (questions and answers from both
    corpora, recombined to reach n), over 1,000 BQ queries."""
    from kefu.knowledge import selectors

    sentences = sorted(
        {s for corpus in ("afqmc-train", "afqmc", "bq") for p in load_pairs(corpus) for s in p[:2]}
    )
    rng = random.Random(seed)
    questions = list(sentences)
    while len(questions) < n:
        a, b = rng.choice(sentences), rng.choice(sentences)
        questions.append(f"{a}，{b}"[:200])
    questions = questions[:n]
    answers = [f"{rng.choice(sentences)}。{rng.choice(sentences)}。" for _ in range(n)]
    t0 = time.perf_counter()
    load_articles(questions, answers)
    load_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    selectors.search_articles(q="预热")
    index_seconds = time.perf_counter() - t0
    _docs, queries = protocol(load_pairs("bq"))
    sample = rng.sample(queries, 1000)
    lat, cpu = [], []
    for q, _rel in sample:
        t0, c0 = time.perf_counter(), time.thread_time()
        selectors.search_articles(q=q, limit=10)
        lat.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    lat.sort()
    cpu.sort()
    import resource

    return {
        "articles": n,
        "load_s": load_seconds,
        "index_s": index_seconds,
        "p50": statistics.median(lat) * 1000,
        "p99": lat[int(0.99 * len(lat))] * 1000,
        "cpu_p50": statistics.median(cpu) * 1000,
        "cpu_p99": cpu[int(0.99 * len(cpu))] * 1000,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **two_stage_check([q for q, _rel in sample]),
    }


def two_stage_check(texts: list[str]) -> dict[str, float]:
    """The loaded index's two-stage ranking against exhaustive scoring of every posting
    (the first version's method), on the same queries: agreement of the top 10, and the
    engine's CPU time per query each way."""
    import dataclasses

    from kefu.knowledge import search
    from kefu.knowledge.analysis import clean_query

    memory = search.backend().memory
    analyzer = search.current_analyzer()
    queries = [search.analysis_terms(analyzer.analyze(clean_query(t)[0])) for t in texts]
    now = time.time()
    fast_params = memory.params
    results = {}
    for name, params in (
        ("fast", fast_params),
        ("exact", dataclasses.replace(fast_params, rerank_depth=None)),
    ):
        memory.params = params
        cpu, ranked = [], []
        for q in queries:
            c0 = time.thread_time()
            ranked.append([k for k, _s in memory.search(q, limit=10, now=now)])
            cpu.append(time.thread_time() - c0)
        cpu.sort()
        results[name] = (ranked, cpu)
    memory.params = fast_params
    fast, exact = results["fast"][0], results["exact"][0]
    return {
        "same_top10": sum(a == b for a, b in zip(fast, exact, strict=True)) / len(queries),
        "same_top1": sum(a[:1] == b[:1] for a, b in zip(fast, exact, strict=True)) / len(queries),
        "overlap10": statistics.mean(
            len(set(a) & set(b)) / max(len(b), 1) for a, b in zip(fast, exact, strict=True)
        ),
        "engine_p99": results["fast"][1][int(0.99 * len(queries))] * 1000,
        "exact_p99": results["exact"][1][int(0.99 * len(queries))] * 1000,
        "postings_mb": memory.nbytes() / 1e6,
    }


def row(name: str, m: dict[str, float]) -> str:
    return (
        f"| {name} | {m['mrr10']:.4f} | {m['r1']:.4f} | {m['r5']:.4f} | "
        f"{m['p50']:.2f} | {m['p99']:.2f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=100_000, help="articles for the latency run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not (DATA / "bq" / "dev.csv").exists():
        print(f"Skipped: the evaluation data is not at {DATA} (see ../shared/data/README.md).")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        django_setup(str(Path(tmp) / "bench.sqlite3"))
        print("| corpus | method | MRR@10 | R@1 | R@5 | p50 ms | p99 ms |")
        print("|---|---|---|---|---|---|---|")
        summary = []
        for corpus in ("bq", "afqmc"):
            docs, queries = protocol(load_pairs(corpus))
            base = baseline(docs, queries)
            ours, bot = kefu(docs, queries)
            print(
                row(
                    f"{corpus} ({len(docs):,} articles, {len(queries):,} queries) | bm25s+jieba",
                    base,
                )
            )
            print(row(f"{corpus} | Kefu search service", ours))
            gain = ours["mrr10"] / base["mrr10"] - 1
            summary.append(
                f"{corpus}: MRR@10 {gain:+.1%} over the baseline; bot answers "
                f"{bot['answered']:.1%} of queries, {bot['precision']:.1%} of them right"
            )
            if corpus == "bq":
                seg = segmenters(docs, queries)
        print()
        for line in summary:
            print(line)
        print()
        print("| segmenter | analysis chars/s | MRR@10 (bq) | R@1 | p50 ms | p99 ms |")
        print("|---|---|---|---|---|---|")
        for name, m in seg.items():
            print(
                f"| {name} | {m['chars_per_s']:,.0f} | {m['mrr10']:.4f} | {m['r1']:.4f} | "
                f"{m['p50']:.2f} | {m['p99']:.2f} |"
            )
        if args.large:
            m = large(args.large, args.seed)
            print()
            print(
                f"{m['articles']:,} articles: bulk load {m['load_s']:.0f} s, index load in a "
                f"process {m['index_s']:.1f} s, query p50 {m['p50']:.2f} ms, "
                f"p99 {m['p99']:.2f} ms (CPU time p50 {m['cpu_p50']:.2f} ms, "
                f"p99 {m['cpu_p99']:.2f} ms), peak memory {m['max_rss_mb']:,.0f} MB, "
                f"postings {m['postings_mb']:.0f} MB"
            )
            print(
                f"two-stage vs exhaustive scoring: top 10 identical for {m['same_top10']:.1%} "
                f"of queries, top 1 for {m['same_top1']:.1%}, mean top-10 overlap "
                f"{m['overlap10']:.3f}; engine CPU p99 {m['engine_p99']:.2f} ms vs "
                f"{m['exact_p99']:.2f} ms exhaustive"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
