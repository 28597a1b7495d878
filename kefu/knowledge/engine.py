"""The in-memory scoring engine behind the database search backend (KB-2).

BM25F over three fields (title, questions = standard and similar questions, answer), once
per kind of term (words, characters, pinyin sounds); the kinds' scores are added with
weights. Postings are numpy arrays of (document slot, field-weighted pseudo term frequency),
so a query costs a few vector additions per term.

Updates work like a search library's segments: the base postings are built in one pass; a
document added later goes to a small delta; a removed or replaced document is only marked
dead (its terms still count in document frequencies until the next rebuild, as in Lucene).
The owner (``kefu.knowledge.search``) rebuilds when the delta grows past REBUILD_FRACTION.

No Django imports: the benchmark drives this module directly.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

FIELDS = ("title", "questions", "answer")
KINDS = ("words", "chars", "sounds")
REBUILD_FRACTION = 0.2
NEVER = math.inf


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


@dataclass
class Document:
    """One article as the index sees it: terms per field and kind, and when it is valid."""

    key: int
    terms: Mapping[str, Mapping[str, Sequence[str]]]  # field → kind → terms
    category: int = -1
    valid_from: float = -NEVER  # epoch seconds
    valid_until: float = NEVER


class _Postings:
    """term → (slots, weights), a frozen base plus an appendable delta."""

    def __init__(self) -> None:
        self.base: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.delta: dict[str, tuple[list[int], list[float]]] = {}
        self.df: Counter[str] = Counter()

    def freeze(self, lists: Mapping[str, tuple[list[int], list[float]]]) -> None:
        self.base = {
            t: (np.asarray(s, dtype=np.int32), np.asarray(w, dtype=np.float32))
            for t, (s, w) in lists.items()
        }
        self.delta = {}
        self.df = Counter({t: len(s) for t, (s, _w) in lists.items()})

    def add(self, term: str, slot: int, weight: float) -> None:
        slots, weights = self.delta.setdefault(term, ([], []))
        slots.append(slot)
        weights.append(weight)
        self.df[term] += 1

    def get(self, term: str) -> list[tuple[np.ndarray, np.ndarray]]:
        out = []
        if term in self.base:
            out.append(self.base[term])
        if term in self.delta:
            s, w = self.delta[term]
            out.append((np.asarray(s, dtype=np.int32), np.asarray(w, dtype=np.float32)))
        return out


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

    def _pseudo_tf(self, doc: Document, kind: str) -> dict[str, float]:
        p = self.params
        combined: dict[str, float] = defaultdict(float)
        for f in FIELDS:
            terms = doc.terms.get(f, {}).get(kind, ())
            if not terms:
                continue
            b = p.field_b[f]
            norm = 1 - b + b * len(terms) / self.avglen[(f, kind)]
            weight = p.field_weight[f] / norm
            for term, tf in Counter(terms).items():
                combined[term] += tf * weight
        return combined

    def rebuild(self, docs: Iterable[Document]) -> None:
        """Replace the whole index with ``docs``."""
        docs = list(docs)
        with self.lock:
            self._clear()
            totals: dict[tuple[str, str], int] = defaultdict(int)
            for doc in docs:
                for f in FIELDS:
                    for k in KINDS:
                        totals[(f, k)] += len(doc.terms.get(f, {}).get(k, ()))
            n = max(len(docs), 1)
            self.avglen = {(f, k): max(totals[(f, k)] / n, 1.0) for f in FIELDS for k in KINDS}
            lists: dict[str, dict[str, tuple[list[int], list[float]]]] = {k: {} for k in KINDS}
            for doc in docs:
                slot = self._new_slot(doc)
                for kind in KINDS:
                    target = lists[kind]
                    for term, w in self._pseudo_tf(doc, kind).items():
                        entry = target.get(term)
                        if entry is None:
                            entry = target[term] = ([], [])
                        entry[0].append(slot)
                        entry[1].append(w)
            for kind in KINDS:
                self.postings[kind].freeze(lists[kind])
            self.base_size = len(self.keys)

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
                for term, w in self._pseudo_tf(doc, kind).items():
                    postings.add(term, slot, w)
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

    # --- reading ---------------------------------------------------------------------------

    def score(self, query: Mapping[str, Sequence[str]]) -> np.ndarray:
        """Scores of every slot for the query's terms per kind (dead slots included)."""
        p = self.params
        total = len(self.keys)
        scores = np.zeros(total, dtype=np.float32)
        n = max(total, 1)
        for kind in KINDS:
            terms = query.get(kind) or ()
            kw = p.kind_weight[kind]
            if not terms or not kw:
                continue
            postings = self.postings[kind]
            for term, qtf in Counter(terms).items():
                df = postings.df.get(term, 0)
                if not df:
                    continue
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                factor = np.float32(kw * qtf * idf * (p.k1 + 1))
                for slots, tf in postings.get(term):
                    scores[slots] += factor * tf / (tf + np.float32(p.k1))
        return scores

    def max_score(self, query: Mapping[str, Sequence[str]]) -> float:
        """The score of a document that is the query itself (every term once, average
        length): the reference that turns a score into a confidence."""
        p = self.params
        n = max(len(self.keys), 1)
        bound = 0.0
        for kind in KINDS:
            kw = p.kind_weight[kind]
            for term, qtf in Counter(query.get(kind) or ()).items():
                df = self.postings[kind].df.get(term, 0)
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                bound += kw * qtf * idf * (p.k1 + 1) * qtf / (qtf + p.k1)
        return bound

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
        with self.lock:
            scores = self.score(query)
            candidates = np.flatnonzero(scores)
            if candidates.size == 0:
                return []
            ok = self.alive[candidates]
            if now is not None:
                ok &= (self.valid_from[candidates] <= now) & (now < self.valid_until[candidates])
            if categories is not None:
                ok &= np.isin(self.category[candidates], np.asarray(categories, dtype=np.int64))
            candidates = candidates[ok]
            if candidates.size == 0:
                return []
            values = scores[candidates]
            if candidates.size > limit:
                part = np.argpartition(-values, limit - 1)[:limit]
                candidates, values = candidates[part], values[part]
            # best first; equal scores by key so that the order is stable
            order = sorted(
                range(candidates.size),
                key=lambda i: (-float(values[i]), self.keys[int(candidates[i])]),
            )
            return [(self.keys[int(candidates[i])], float(values[i])) for i in order]
