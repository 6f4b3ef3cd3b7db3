"""The phrase model: a small convolutional network over word-piece vectors, in numpy.

Trained by `tools/train_cnn.py`: each word piece of a text is looked up in the model's own
tuned copy of the distilled vectors (`filters/vectors.py`), filters 1 to 4 pieces wide read
every phrase, and each filter's strongest reading anywhere in the text feeds one raw score
(logit) per category. It reads phrases by meaning where the linear model
(`filters/model.py`) reads words and letters; `filters.model.TextModel` averages the two.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from filters.vectors import PieceVectors

FORMAT = "modbot-phrase-model/1"
DEFAULT_MODEL = Path(__file__).with_name("models") / "phrase-model.npz"
WIDTHS = (1, 2, 3, 4)
MAX_PIECES = 128


class PhraseModel:
    """The trained network's weights and its forward pass.

    A filter `width` pieces wide reads a window as the sum, over its places, of each piece's
    vector times that place's weights. The vectors are fixed once trained, so each piece's
    products with every place of every filter (one row of `_projected`) are worked out the
    first time the piece is seen and kept: a text then costs a lookup and a few sums per
    filter width, not a matrix product per window.
    """

    def __init__(self, data: dict[str, np.ndarray]) -> None:
        self.categories = [str(c) for c in data["categories"]]
        self.vectors = PieceVectors([str(p) for p in data["pieces"]], data["embed"])
        places = []  # (width, place in window) -> a column block of `_weights`
        blocks = []
        self.biases = []
        for width in WIDTHS:
            weight = data[f"conv{width}_w"].astype(np.float32)  # filters, dims, width
            for place in range(width):
                places.append((width, place))
                blocks.append(weight[:, :, place].T)  # dims, filters
            self.biases.append(data[f"conv{width}_b"].astype(np.float32))
        self.filters = blocks[0].shape[1]
        self._weights = np.ascontiguousarray(np.concatenate(blocks, axis=1))
        self._places = places
        table = len(self.vectors.vectors)
        self._projected = np.zeros((table, self._weights.shape[1]), dtype=np.float32)
        self._known = np.zeros(table, dtype=bool)
        self.out_w = data["out_w"].astype(np.float32).T.copy()
        self.out_b = data["out_b"].astype(np.float32)

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL) -> PhraseModel:
        """Read a model written by `tools/train_cnn.py` (numpy only)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["format"]) != FORMAT:
                    raise ValueError(f"{path}: not a {FORMAT} model")
                arrays = {k: data[k] for k in data.files}
        except (KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{path}: damaged or not a {FORMAT} model ({exc})") from None
        return cls(arrays)

    def logits(self, prepared_text: str) -> np.ndarray:
        """Raw scores per category for one prepared text (`filters.model.prepare`)."""
        rows = self.vectors.pieces(prepared_text)[:MAX_PIECES]
        if rows:
            index = np.fromiter(rows, dtype=np.int64, count=len(rows))
            new = index[~self._known[index]]
            if len(new):
                self._projected[new] = self.vectors.vectors[new] @ self._weights
                self._known[new] = True
            projected = self._projected[index]
        else:
            projected = np.zeros((0, self._weights.shape[1]), dtype=np.float32)
        length = max(len(rows), max(WIDTHS))  # short texts padded with zero vectors
        if len(projected) < length:
            padding = np.zeros((length - len(projected), projected.shape[1]), dtype=np.float32)
            projected = np.concatenate([projected, padding])
        pooled = []
        column = 0
        f = self.filters
        for width, bias in zip(WIDTHS, self.biases, strict=True):
            windows = length - width + 1
            total = projected[:windows, column : column + f] + bias
            for place in range(1, width):
                start = column + place * f
                total += projected[place : place + windows, start : start + f]
            column += width * f
            pooled.append(np.maximum(total, 0).max(axis=0))
        return np.concatenate(pooled) @ self.out_w + self.out_b
