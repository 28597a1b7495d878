"""The in-memory scoring engine behind the database search backend (KB-2).

BM25F over three fields (title, questions = standard and similar questions, answer), once
per kind of term (words, characters, pinyin sounds); the kinds' scores are added with
weights.

Postings are compact: per kind of term one vocabulary (term → number) and three numpy
arrays in CSR form: ``offsets`` (where each term's postings start), ``slots`` (document
slots, ascending within a term) and ``impacts`` (the saturated, field-weighted term
frequency ``(k1 + 1)·tf / (tf + k1)``, computed once when the index is built). A query's
score for a document is then the sum of ``kind weight · idf · impact`` over its terms.

Two-stage retrieval. Characters and pinyin sounds are few and most of them occur in a large
share of the articles (at 100,000 articles the commonest character is in 96 % of them): a
query touching every posting of every term would add up more than half a million numbers.
So a query's terms are split by document frequency:

1. *selective* terms (in at most ``Params.common_share`` of the documents: most words, rare
   characters and sounds) are scored over all their postings; this picks the candidates;
2. *common* terms add their share only to the best ``Params.rerank_depth`` candidates, found
   by binary search in their (sorted) postings.

A query made only of common terms moves its rarest terms into the first stage until there
are enough candidates. Common terms still count for ranking; they only do not nominate
candidates on their own. The benchmark measures how often the top 10 equals exhaustive
scoring (``Params(rerank_depth=None)`` scores every posting).

Updates work like a search library's segments: the base postings are built in one pass; a
document added later goes to a small delta; a removed or replaced document is only marked
dead (its terms still count in document frequencies until the next rebuild, as in Lucene).
The owner (``kefu.knowledge.search``) rebuilds when the delta grows past REBUILD_FRACTION.

No Django imports: the benchmark drives this module directly.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

FIELDS = ("title", "questions", "answer")
KINDS = ("words", "chars", "sounds")
REBUILD_FRACTION = 0.2
NEVER = math.inf

TermList = Sequence[str] | str  # a list of terms, or the terms joined by single spaces


@dataclass(frozen=True)
class Params:
    """Ranking parameters, chosen by reasoning about FAQ text and checked by the benchmark.

    Short fields (titles, questions) are weighted above the answer: a question matching a
    customer's question is stronger evidence than a word somewhere in a long answer.
    """

    k1: float = 1.2
    field_weight: Mapping[str, float] = field(
        default_factory=lambda: {"title": 1.0, "questions": 1.0, "answer": 0.3}
    )
    field_b: Mapping[str, float] = field(
        default_factory=lambda: {"title": 0.75, "questions": 0.75, "answer": 0.75}
    )
    kind_weight: Mapping[str, float] = field(
        default_factory=lambda: {"words": 0.5, "chars": 1.0, "sounds": 0.3}
    )
    # a term in more than this share of the documents is common: it re-ranks candidates
    # but does not nominate them
    common_share: float = 0.1
    # ... unless the index is so small that scoring everything costs nothing
    common_min_df: int = 50
    # how many first-stage candidates the common terms re-rank; None scores every posting
    rerank_depth: int | None = 1000


@dataclass
class Document:
    """One article as the index sees it: terms per field and kind, and when it is valid."""

    key: int
    terms: Mapping[str, Mapping[str, TermList]]  # field → kind → terms
    category: int = -1
    valid_from: float = -NEVER  # epoch seconds
    valid_until: float = NEVER


def term_list(value: TermList | None) -> Sequence[str]:
    if not value:
        return ()
    return value.split(" ") if isinstance(value, str) else value


class _Vocabulary(dict):
    """term → number, numbering a new term on first sight (a C-level lookup otherwise)."""

    def __missing__(self, term: str) -> int:
        number = self[term] = len(self)
        return number


_EMPTY_I = np.zeros(0, dtype=np.int32)
_EMPTY_F = np.zeros(0, dtype=np.float32)


class _Postings:
    """The postings of one kind of term: a frozen CSR base plus an appendable delta."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.offsets = np.zeros(1, dtype=np.int64)
        self.slots = _EMPTY_I
        self.impacts = _EMPTY_F
        self.delta: dict[str, tuple[array, array]] = {}
        self.delta_df: Counter[str] = Counter()

    def df(self, term: str) -> int:
        tid = self.vocab.get(term)
        base = 0 if tid is None else int(self.offsets[tid + 1] - self.offsets[tid])
        return base + self.delta_df.get(term, 0)

    def add(self, term: str, slot: int, impact: float) -> None:
        entry = self.delta.get(term)
        if entry is None:
            entry = self.delta[term] = (array("i"), array("f"))
        entry[0].append(slot)
        entry[1].append(impact)
        self.delta_df[term] += 1

    def get(self, term: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """(slots, impacts) parts of the term, each sorted by slot."""
        out = []
        tid = self.vocab.get(term)
        if tid is not None:
            start, end = self.offsets[tid], self.offsets[tid + 1]
            out.append((self.slots[start:end], self.impacts[start:end]))
        entry = self.delta.get(term)
        if entry is not None:
            # copies: a view would pin the array's buffer and make the next append fail
            out.append((np.array(entry[0], dtype=np.int32), np.array(entry[1], dtype=np.float32)))
        return out

    def nbytes(self) -> int:
        return self.offsets.nbytes + self.slots.nbytes + self.impacts.nbytes


@dataclass
class _QueryTerm:
    df: int
    factor: float  # kind weight · query tf · idf
    parts: list[tuple[np.ndarray, np.ndarray]]


class MemoryIndex:
    """A BM25F index of Documents. Thread-safe: writers and readers take one lock."""

    def __init__(self, params: Params | None = None) -> None:
        self.params = params or Params()
        self.lock = threading.RLock()
        self._clear()

    def _clear(self) -> None:
        self.keys: list[int] = []
        self.slot_of: dict[int, int] = {}
        self.alive = np.zeros(0, dtype=bool)
        self.category = np.zeros(0, dtype=np.int64)
        self.valid_from = np.zeros(0, dtype=np.float64)
        self.valid_until = np.zeros(0, dtype=np.float64)
        self.postings = {kind: _Postings() for kind in KINDS}
        self.avglen = {(f, k): 1.0 for f in FIELDS for k in KINDS}
        self.base_size = 0
        self.delta_size = 0
        self.dead = 0

    # --- writing ---------------------------------------------------------------------------

    def _impacts(self, doc: Document, kind: str) -> dict[str, float]:
        """term → (k1 + 1)·tf / (tf + k1) over the field-weighted, length-normalised tf."""
        p = self.params
        combined: dict[str, float] = {}
        for f in FIELDS:
            terms = term_list(doc.terms.get(f, {}).get(kind))
            if not terms:
                continue
            b = p.field_b[f]
            norm = 1 - b + b * len(terms) / self.avglen[(f, kind)]
            weight = p.field_weight[f] / norm
            for term, tf in Counter(terms).items():
                combined[term] = combined.get(term, 0.0) + tf * weight
        k1 = p.k1
        return {t: (k1 + 1) * tf / (tf + k1) for t, tf in combined.items()}

    def rebuild(self, docs: Iterable[Document]) -> None:
        """Replace the whole index with ``docs`` (read once, as a stream).

        Per kind of term, every document's terms go into one flat array of term numbers,
        field after field, document after document; a stable sort by term number then
        leaves each term's postings in slot order, and adjacent equal (term, slot) pairs
        are summed into the field-weighted term frequency. No per-term Python lists."""
        p = self.params
        with self.lock:
            self._clear()
            vocabs = {k: _Vocabulary() for k in KINDS}
            ids = {k: array("i") for k in KINDS}
            # per kind: the length of each (document, field) run of terms, in that order
            runs = {k: array("i") for k in KINDS}
            for doc in docs:
                self._new_slot(doc)
                for f in FIELDS:
                    field_terms = doc.terms.get(f, {})
                    for k in KINDS:
                        terms = term_list(field_terms.get(k))
                        ids[k].extend(map(vocabs[k].__getitem__, terms))
                        runs[k].append(len(terms))
            n = len(self.keys)
            self.base_size = n
            if not n:
                return
            nf = len(FIELDS)
            for k in KINDS:
                postings = self.postings[k]
                postings.vocab = dict(vocabs[k])
                lens = np.frombuffer(runs[k], dtype=np.int32).reshape(n, nf)
                run_weight = np.empty((n, nf), dtype=np.float64)
                for i, f in enumerate(FIELDS):
                    self.avglen[(f, k)] = max(float(lens[:, i].sum()) / n, 1.0)
                    b = p.field_b[f]
                    run_weight[:, i] = p.field_weight[f] / (
                        1 - b + b * lens[:, i] / self.avglen[(f, k)]
                    )
                term_ids = np.frombuffer(ids[k], dtype=np.int32)
                if not term_ids.size:
                    postings.offsets = np.zeros(len(postings.vocab) + 1, dtype=np.int64)
                    continue
                flat_lens = lens.ravel()
                slot_of_term = np.repeat(np.repeat(np.arange(n, dtype=np.int32), nf), flat_lens)
                weight_of_term = np.repeat(run_weight.ravel(), flat_lens)
                order = np.argsort(term_ids, kind="stable")  # slots stay ascending per term
                term_of, slots = term_ids[order], slot_of_term[order]
                weights = weight_of_term[order]
                del order, slot_of_term, weight_of_term
                new = np.empty(term_of.size, dtype=np.bool_)
                new[0] = True
                np.not_equal(term_of[1:], term_of[:-1], out=new[1:])
                np.logical_or(new[1:], slots[1:] != slots[:-1], out=new[1:])
                starts = np.flatnonzero(new)
                tf = np.add.reduceat(weights, starts)
                postings.slots = slots[starts]
                postings.impacts = ((p.k1 + 1) * tf / (tf + p.k1)).astype(np.float32)
                counts = np.bincount(term_of[starts], minlength=len(postings.vocab))
                postings.offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def _new_slot(self, doc: Document) -> int:
        slot = len(self.keys)
        self.keys.append(doc.key)
        self.slot_of[doc.key] = slot
        self._grow(slot + 1)
        self.alive[slot] = True
        self.category[slot] = doc.category
        self.valid_from[slot] = doc.valid_from
        self.valid_until[slot] = doc.valid_until
        return slot

    def _grow(self, size: int) -> None:
        if size <= len(self.alive):
            return
        capacity = max(size, int(len(self.alive) * 1.5) + 64)
        for name in ("alive", "category", "valid_from", "valid_until"):
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def add(self, doc: Document) -> None:
        """Add or replace one document (the old version is marked dead)."""
        with self.lock:
            self.remove(doc.key)
            slot = self._new_slot(doc)
            for kind in KINDS:
                postings = self.postings[kind]
                for term, impact in self._impacts(doc, kind).items():
                    postings.add(term, slot, impact)
            self.delta_size += 1

    def remove(self, key: int) -> None:
        with self.lock:
            slot = self.slot_of.pop(key, None)
            if slot is not None:
                self.alive[slot] = False
                self.dead += 1

    def needs_rebuild(self) -> bool:
        changed = self.delta_size + self.dead
        return changed > 1000 and changed > REBUILD_FRACTION * max(self.base_size, 1)

    def __len__(self) -> int:
        return len(self.slot_of)

    def nbytes(self) -> int:
        """Memory held by the postings arrays (vocabularies and deltas not counted)."""
        return sum(p.nbytes() for p in self.postings.values())

    # --- reading ---------------------------------------------------------------------------

    def _idf(self, df: int) -> float:
        n = max(len(self.keys), 1)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _query_terms(self, query: Mapping[str, Sequence[str]]) -> list[_QueryTerm]:
        out = []
        for kind in KINDS:
            kw = self.params.kind_weight[kind]
            terms = query.get(kind) or ()
            if not terms or not kw:
                continue
            postings = self.postings[kind]
            for term, qtf in Counter(terms).items():
                df = postings.df(term)
                if df:
                    out.append(_QueryTerm(df, kw * qtf * self._idf(df), postings.get(term)))
        return out

    def max_score(self, query: Mapping[str, Sequence[str]]) -> float:
        """The score of a document that is the query itself (every term once, average
        length): the reference that turns a score into a confidence."""
        p = self.params
        bound = 0.0
        for kind in KINDS:
            kw = p.kind_weight[kind]
            for term, qtf in Counter(query.get(kind) or ()).items():
                idf = self._idf(self.postings[kind].df(term))
                bound += kw * qtf * idf * (p.k1 + 1) * qtf / (qtf + p.k1)
        return bound

    def _allowed(
        self, candidates: np.ndarray, now: float | None, categories: Sequence[int] | None
    ) -> np.ndarray:
        ok = self.alive[candidates]
        if now is not None:
            ok &= (self.valid_from[candidates] <= now) & (now < self.valid_until[candidates])
        if categories is not None:
            ok &= np.isin(self.category[candidates], np.asarray(categories, dtype=np.int64))
        return ok

    def search(
        self,
        query: Mapping[str, Sequence[str]],
        *,
        limit: int = 10,
        now: float | None = None,
        categories: Sequence[int] | None = None,
    ) -> list[tuple[int, float]]:
        """The best ``limit`` (key, score) pairs, best first; only live documents valid at
        ``now`` (epoch seconds) and, when given, in ``categories``."""
        p = self.params
        with self.lock:
            terms = sorted(self._query_terms(query), key=lambda t: t.df)
            if not terms:
                return []
            total = len(self.keys)
            depth = p.rerank_depth
            if depth is None:
                first, rest = terms, []
            else:
                cap = max(p.common_share * total, p.common_min_df)
                first = [t for t in terms if t.df <= cap]
                rest = terms[len(first) :]
            # stage 1: the selective terms over all their postings
            scores = np.zeros(total, dtype=np.float32)
            touched = 0
            for term in first:
                for slots, impacts in term.parts:
                    scores[slots] += np.float32(term.factor) * impacts
                touched += term.df
            # too few candidates (a query of common words only): promote the rarest
            while rest and touched < (depth or 0):
                term = rest.pop(0)
                for slots, impacts in term.parts:
                    scores[slots] += np.float32(term.factor) * impacts
                touched += term.df
            candidates = np.flatnonzero(scores)
            if candidates.size == 0:
                return []
            candidates = candidates[self._allowed(candidates, now, categories)]
            if candidates.size == 0:
                return []
            values = scores[candidates]
            # stage 2: the common terms re-rank the best candidates
            if rest:
                if depth is not None and candidates.size > depth:
                    best = np.argpartition(-values, depth - 1)[:depth]
                    candidates, values = candidates[best], values[best]
                order = np.argsort(candidates)
                # int32 like the postings: searchsorted would otherwise convert every posting
                candidates = candidates[order].astype(np.int32)
                values = values[order].astype(np.float32)
                for term in rest:
                    factor = np.float32(term.factor)
                    for slots, impacts in term.parts:
                        if not slots.size:
                            continue
                        pos = np.searchsorted(slots, candidates)
                        np.minimum(pos, slots.size - 1, out=pos)
                        found = slots[pos] == candidates
                        values[found] += factor * impacts[pos[found]]
            if candidates.size > limit:
                part = np.argpartition(-values, limit - 1)[:limit]
                candidates, values = candidates[part], values[part]
            # best first; equal scores by key so that the order is stable
            keys = self.keys
            ranked = sorted(
                zip(values.tolist(), candidates.tolist(), strict=True),
                key=lambda pair: (-pair[0], keys[pair[1]]),
            )
            return [(keys[slot], score) for score, slot in ranked]
