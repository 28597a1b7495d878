"""Chinese text analysis for the knowledge base (KB-2): normalise, segment, read synonyms.

One Analyzer turns an article field or a customer's question into index terms of three
kinds, each scored by its own BM25 in the engine:

- words: jieba-family segmentation with the banking user dictionary; every word of a
  synonym group is read as the group's standard term (卡丢了 → 挂失), particles dropped;
- chars: the characters of those words (and whole Latin/number words), which match
  colloquial wording and typos that segment differently (微粒货 / 微粒贷);
- sounds: toneless pinyin of each character, which matches homophone typos (登陆 / 登录).

The module has no Django imports: the benchmark and the engine use it directly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Protocol

MAX_QUERY_CHARS = 200

# Sentence particles and greetings carry no meaning for retrieval. Question words
# (怎么, 为什么, 多少) stay: they tell "how" from "why" from "how much".
PARTICLES = frozenset(
    "的 了 吗 呢 啊 吧 呀 么 哦 嘛 哈 啦 哇 呗 噢 喔 嗯 请问 你好 您好 谢谢 麻烦 亲".split()
)
# Variant characters customers type for the standard ones.
CHAR_VARIANTS = str.maketrans({"帐": "账", "仟": "千", "佰": "百", "圆": "元", "萬": "万"})
_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"^[\W_]+$")
_LATIN = re.compile(r"^[0-9a-z][0-9a-z.+\-]*$")
_CJK = re.compile(r"[\u3400-\u9fff]")


class Segmenter(Protocol):
    name: str

    def cut(self, text: str) -> list[str]: ...

    def add_word(self, word: str, freq: int | None) -> None: ...


class RjiebaSegmenter:
    """jieba-rs through rjieba: the same dictionary and algorithm as jieba, in Rust."""

    name = "rjieba"

    def __init__(self) -> None:
        import rjieba

        self._jieba = rjieba.Jieba()

    def cut(self, text: str) -> list[str]:
        return self._jieba.cut(text, hmm=True)

    def add_word(self, word: str, freq: int | None) -> None:
        self._jieba.add_word(word, freq, None)


class JiebaSegmenter:
    """The original Python jieba (a separate Tokenizer, so global state is untouched)."""

    name = "jieba"

    def __init__(self) -> None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()

    def cut(self, text: str) -> list[str]:
        return self._jieba.lcut(text, HMM=True)

    def add_word(self, word: str, freq: int | None) -> None:
        self._jieba.add_word(word, freq)


SEGMENTERS: dict[str, type[RjiebaSegmenter] | type[JiebaSegmenter]] = {
    "rjieba": RjiebaSegmenter,
    "jieba": JiebaSegmenter,
}


@dataclass(frozen=True)
class Lexicon:
    """User words and synonym groups (the first word of a group is its standard term)."""

    words: tuple[tuple[str, int | None], ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()

    def merged(self, other: Lexicon) -> Lexicon:
        return Lexicon(words=self.words + other.words, synonyms=self.synonyms + other.synonyms)


def _data_lines(name: str) -> Iterable[str]:
    text = resources.files("kefu.knowledge").joinpath("data", name).read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


def parse_dictionary_line(line: str) -> tuple[str, int | None]:
    """``word [freq] [tag]`` → (word, freq or None)."""
    parts = line.split()
    word = normalize(parts[0])
    freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    return word, freq


def parse_synonym_line(line: str) -> tuple[str, ...]:
    """``standard,other,other`` (also 、，or spaces) → normalised distinct words."""
    seen: list[str] = []
    for part in re.split(r"[,，、\s]+", line):
        word = normalize(part)
        if word and word not in seen:
            seen.append(word)
    return tuple(seen)


@cache
def packaged_lexicon() -> Lexicon:
    """The banking dictionary and synonym table shipped with Kefu."""
    words = tuple(parse_dictionary_line(line) for line in _data_lines("banking_dict.txt"))
    groups = tuple(
        g for g in (parse_synonym_line(line) for line in _data_lines("synonyms.txt")) if len(g) > 1
    )
    return Lexicon(words=words, synonyms=groups)


def normalize(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, variant characters, single spaces."""
    text = unicodedata.normalize("NFKC", text or "").lower().translate(CHAR_VARIANTS)
    return _SPACE.sub(" ", text).strip()


@dataclass
class Analysis:
    words: list[str] = field(default_factory=list)
    chars: list[str] = field(default_factory=list)
    sounds: list[str] = field(default_factory=list)
    # the surface words as segmented (before synonyms), for highlighting
    surface: list[str] = field(default_factory=list)
    # every word of the synonym groups the words were read as, for highlighting
    related: list[str] = field(default_factory=list)


@cache
def _pinyin_table() -> dict[int, str]:
    from pypinyin.pinyin_dict import pinyin_dict

    table = {}
    for code, readings in pinyin_dict.items():
        first = readings.split(",")[0]
        # strip tone marks: decompose and drop combining characters
        bare = "".join(
            ch for ch in unicodedata.normalize("NFD", first) if not unicodedata.combining(ch)
        )
        table[code] = bare.replace("ü", "v")
    return table


class Analyzer:
    """Turns text into index terms. Build one per lexicon version and reuse it (thread-safe
    for reading; building it loads the segmenter's dictionary, ~0.5 s)."""

    def __init__(self, lexicon: Lexicon | None = None, *, segmenter: str = "rjieba") -> None:
        self.lexicon = lexicon or packaged_lexicon()
        self.segmenter: Segmenter = SEGMENTERS[segmenter]()
        self.canonical: dict[str, str] = {}
        self.groups: dict[str, list[str]] = {}  # standard term → its words
        for word, freq in self.lexicon.words:
            if word:
                self.segmenter.add_word(word, freq or 2000)
        for group in self.lexicon.synonyms:
            standard = group[0]
            for word in group:
                if len(word) > 1:
                    self.segmenter.add_word(word, 3000)
                # a word in two groups keeps its first group
                if self.canonical.setdefault(word, standard) == standard:
                    self.groups.setdefault(standard, [])
                    if word not in self.groups[standard]:
                        self.groups[standard].append(word)
        self._pinyin = _pinyin_table()

    def segment(self, text: str) -> list[str]:
        """Surface words of normalised text, without spaces and punctuation."""
        return [w for w in self.segmenter.cut(normalize(text)) if w.strip() and not _PUNCT.match(w)]

    def analyze(self, text: str) -> Analysis:
        result = Analysis()
        for surface in self.segment(text):
            if surface in PARTICLES:
                continue
            word = self.canonical.get(surface, surface)
            result.surface.append(surface)
            result.words.append(word)
            result.related.extend(self.groups.get(word, ()))
            if _LATIN.match(word):
                result.chars.append(word)
                continue
            for ch in word:
                if _CJK.match(ch):
                    result.chars.append(ch)
                    result.sounds.append(self._pinyin.get(ord(ch), ch))
                elif not _PUNCT.match(ch) and not ch.isspace():
                    result.chars.append(ch)
        return result

    def synonyms_of(self, word: str) -> Sequence[str]:
        """Every word read as the same standard term as ``word`` (itself included)."""
        return self.groups.get(self.canonical.get(word, word)) or [word]


def clean_query(text: str | None) -> tuple[str, bool]:
    """The query to search for and whether it was cut to MAX_QUERY_CHARS characters."""
    text = normalize(text or "")
    if len(text) > MAX_QUERY_CHARS:
        return text[:MAX_QUERY_CHARS], True
    return text, False
