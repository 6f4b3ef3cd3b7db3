"""A text's meaning as one vector: the mean of its word pieces' distilled vectors.

The table (`filters/models/token-vectors.npz`, made by `tools/distill_vectors.py` from
all-MiniLM-L6-v2) gives each word piece of that model's vocabulary a vector that carries
what the transformer learned about it, so "batter", "smash his face in" and "sort him out"
land near each other though they share no letters. Texts are cut into word pieces the way
the transformer's own tokenizer does (lower case, punctuation split off, the longest piece
of the vocabulary first), each word's pieces cached, so a text costs a few lookups.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

FORMAT = "modbot-token-vectors/1"
DEFAULT_TABLE = Path(__file__).with_name("models") / "token-vectors.npz"
_WORDS = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")
_MAX_WORD = 40


class PieceVectors:
    """The distilled word-piece table, and a text's vector from it."""

    def __init__(self, pieces: list[str], vectors: np.ndarray) -> None:
        self.index = {piece: i for i, piece in enumerate(pieces)}
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.dimensions = self.vectors.shape[1]
        self._cache: dict[str, tuple[int, ...]] = {}

    @classmethod
    def load(cls, path: Path = DEFAULT_TABLE) -> PieceVectors:
        """Read the shipped table (numpy only)."""
        with np.load(path, allow_pickle=False) as data:
            if str(data["format"]) != FORMAT:
                raise ValueError(f"{path}: not a {FORMAT} table")
            return cls(list(data["pieces"]), data["vectors"])

    def pieces(self, text: str) -> list[int]:
        """The word pieces of a folded (lower-case) text, as table rows."""
        out: list[int] = []
        cache = self._cache
        for word in _WORDS.findall(text):
            found = cache.get(word)
            if found is None:
                found = self._word_pieces(word)
                if len(cache) > 200_000:
                    cache.clear()
                cache[word] = found
            out.extend(found)
        return out

    def _word_pieces(self, word: str) -> tuple[int, ...]:
        """Longest-match-first word pieces, as the transformer's tokenizer cuts a word."""
        if len(word) > _MAX_WORD:
            return ()
        index = self.index
        found: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            piece = None
            while start < end:
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                if candidate in index:
                    piece = index[candidate]
                    break
                end -= 1
            if piece is None:
                return ()  # the tokenizer's [UNK]: nothing to add
            found.append(piece)
            start = end
        return tuple(found)

    def vector(self, text: str, weights: np.ndarray | None = None) -> np.ndarray:
        """The text's vector: the weighted mean of its pieces, of unit length (or zeros)."""
        rows = self.pieces(text)
        if not rows:
            return np.zeros(self.dimensions, dtype=np.float32)
        block = self.vectors[rows]
        if weights is not None:
            w = weights[rows]
            mean = (block * w[:, None]).sum(axis=0) / max(float(w.sum()), 1e-6)
        else:
            mean = block.mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else mean
