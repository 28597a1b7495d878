"""The scoring engine on its own: compact postings, two-stage retrieval, deltas."""

from __future__ import annotations

import dataclasses
import random

import pytest

from kefu.knowledge.engine import Document, MemoryIndex, Params

ALPHABET = "卡丢挂失还款额度分期账单密码转账基金开户手续费利息逾期"


def _doc(key: int, words: list[str], **extra) -> Document:
    chars = [c for w in words for c in w]
    return Document(
        key=key,
        terms={
            "title": {"words": words[:2], "chars": chars[:4]},
            "questions": {"words": words, "chars": chars, "sounds": chars},
            "answer": {"words": words[::-1], "chars": chars[::2]},
        },
        **extra,
    )


def _corpus(n: int, seed: int = 3) -> list[Document]:
    rng = random.Random(seed)
    common = ["怎么", "卡", "我"]  # in most documents: the second stage's terms
    docs = []
    for key in range(n):
        words = [
            "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(2, 8))
        ]
        words += [w for w in common if rng.random() < 0.8]
        docs.append(_doc(key, words))
    return docs


def _index(docs, **params) -> MemoryIndex:
    index = MemoryIndex(Params(**params))
    index.rebuild(docs)
    return index


def _query(words: list[str]) -> dict[str, list[str]]:
    chars = [c for w in words for c in w]
    return {"words": words, "chars": chars, "sounds": chars}


def test_two_stage_finds_what_exhaustive_scoring_finds():
    docs = _corpus(3000)
    exact = _index(docs, rerank_depth=None)
    fast = _index(docs, common_share=0.05, common_min_df=0, rerank_depth=300)
    rng = random.Random(5)
    same_top1 = 0
    for _ in range(100):
        words = ["".join(rng.choice(ALPHABET) for _ in range(2)) for _ in range(3)]
        words += ["怎么", "卡"]
        a, b = fast.search(_query(words), limit=10), exact.search(_query(words), limit=10)
        assert len(a) == len(b) == 10
        same_top1 += a[0][0] == b[0][0]
        for key, score in a:  # a candidate's score is its full score, never a part
            assert score == pytest.approx(dict(exact.search(_query(words), limit=3000))[key])
    assert same_top1 >= 95


def test_query_of_common_terms_only_still_finds_articles():
    docs = _corpus(2000)
    fast = _index(docs, common_share=0.05, common_min_df=0, rerank_depth=100)
    exact = _index(docs, rerank_depth=None)
    query = _query(["怎么", "卡"])
    got = fast.search(query, limit=5)
    assert len(got) == 5
    assert [s for _k, s in got] == sorted((s for _k, s in got), reverse=True)
    # the rarest common term nominated the candidates: the best of them is among the best
    assert got[0][0] in {key for key, _s in exact.search(query, limit=10)}


def test_terms_stored_as_joined_strings_score_like_lists():
    docs = _corpus(300)
    as_strings = [
        dataclasses.replace(
            d,
            terms={f: {k: " ".join(v) for k, v in kinds.items()} for f, kinds in d.terms.items()},
        )
        for d in docs
    ]
    query = _query(["挂失", "密码", "卡"])
    assert _index(docs).search(query, limit=20) == _index(as_strings).search(query, limit=20)


def test_delta_documents_score_like_rebuilt_ones():
    docs = _corpus(500)
    index = _index(docs[:400], rerank_depth=None)
    query = _query(["还款", "分期", "卡"])
    for d in docs[400:]:
        index.add(d)
        held = index.search(query, limit=5)  # results kept while the delta grows
    assert held
    index.remove(7)
    rebuilt = _index([d for d in docs if d.key != 7], rerank_depth=None)
    got = dict(index.search(query, limit=500))
    want = dict(rebuilt.search(query, limit=500))
    assert 7 not in got
    assert set(got) == set(want)
    # the delta keeps the base's length averages and the dead document's frequencies,
    # so scores differ a little until the next rebuild, as in a search library
    for key, score in want.items():
        assert got[key] == pytest.approx(score, rel=0.1)


def test_filters_and_validity_apply_before_the_cut():
    docs = _corpus(1000)
    docs = [
        dataclasses.replace(d, category=d.key % 3, valid_until=50.0 if d.key % 2 else 1e18)
        for d in docs
    ]
    index = _index(docs, common_share=0.05, common_min_df=0, rerank_depth=50)
    got = index.search(_query(["挂失", "卡"]), limit=30, now=100.0, categories=[1])
    assert got
    assert all(key % 3 == 1 and key % 2 == 0 for key, _s in got)


def test_empty_index_and_unknown_terms():
    index = _index([])
    assert index.search(_query(["卡"])) == []
    index = _index(_corpus(10))
    assert index.search(_query(["无关词"])) == []
    assert index.nbytes() > 0
