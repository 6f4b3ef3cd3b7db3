"""Train the phrase model shipped in `filters/models/phrase-model.npz`, reproducibly.

    pip install -e '.[distil]'               # torch (CPU), for training only
    python tools/distill_vectors.py          # the word-piece vectors it starts from
    python tools/train_cnn.py --oof FILE     # out-of-fold probabilities, for the ensemble
    python tools/train_cnn.py                # train on everything, write the model

A small convolutional network over word pieces: each piece starts as its distilled vector
(`filters/vectors.py`), the vectors are tuned, filters 1 to 4 pieces wide read every phrase,
and the strongest reading of each filter anywhere in the text feeds one output per category.
It reads phrases by meaning ("fix your receptionist", "see who answers the door") where the
linear model reads words and letters, and the two are averaged (`tools/train_model.py`).
Scoring needs only numpy (`filters/phrases.py`).

Same data, same rule for which rows train which category, and the same held-out groups as
`tools/train_model.py`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from train_model import CATEGORIES, FOLDS, SEED, fold_groups, load  # noqa: E402

from filters.model import prepare  # noqa: E402
from filters.normalise import fold  # noqa: E402
from filters.phrases import FORMAT, MAX_PIECES, WIDTHS, PhraseModel  # noqa: E402
from filters.vectors import PieceVectors  # noqa: E402

OUT = ROOT / "filters" / "models" / "phrase-model.npz"
FILTERS = 96
EPOCHS = 4
BATCH = 128
CORPUS_WEIGHT = 6.0


def encode(table: PieceVectors, texts: list[str]) -> list[np.ndarray]:
    """Each text's word pieces, as the model reads it (table rows, shifted by one: 0 pads)."""
    return [
        np.array(table.pieces(prepare(fold(t).text).text)[:MAX_PIECES], dtype=np.int64) + 1
        for t in texts
    ]


def targets(rows) -> tuple[np.ndarray, np.ndarray]:
    """Labels (rows, categories) and which of them are known (public labels are "at least")."""
    y = np.array([[c in r.labels for c in CATEGORIES] for r in rows], dtype=np.float32)
    known = np.array(
        [
            [c in r.labels or "acceptable" in r.labels or r.exhaustive for c in CATEGORIES]
            for r in rows
        ],
        dtype=np.float32,
    )
    return y, known


def build(torch, table: PieceVectors, filters: int):
    """The network: tuned piece vectors, convolutions 1-4 wide, max over the text, a linear out."""
    nn = torch.nn

    class PhraseNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            start = np.vstack([np.zeros((1, table.dimensions)), table.vectors]).astype(np.float32)
            self.embed = nn.Embedding.from_pretrained(
                torch.tensor(start), freeze=False, padding_idx=0
            )
            self.convs = nn.ModuleList(
                nn.Conv1d(table.dimensions, filters, w, padding=0) for w in WIDTHS
            )
            self.drop = nn.Dropout(0.3)
            self.out = nn.Linear(filters * len(WIDTHS), len(CATEGORIES))

        def forward(self, ids, lengths):
            x = self.embed(ids).transpose(1, 2)  # batch, dims, pieces
            pooled = []
            for width, conv in zip(WIDTHS, self.convs, strict=True):
                y = torch.relu(conv(x))  # batch, filters, windows
                # Only windows inside the text (short texts padded to the widest filter, as
                # filters/phrases.py does): padding in a batch must not change the answer.
                starts = torch.arange(y.shape[2])[None, :]
                valid = starts <= (lengths[:, None] - width)
                pooled.append(y.masked_fill(~valid[:, None, :], 0.0).amax(dim=2))
            return self.out(self.drop(torch.cat(pooled, dim=1)))

    return PhraseNet()


def bucketed(rng: np.random.Generator, ids: list[np.ndarray], index: np.ndarray) -> np.ndarray:
    """A shuffled order in which each run of batches holds texts of similar length.

    Padding a batch to its longest text costs work on every short text in it; sorting
    shuffled chunks by length keeps batches tight and the epoch random.
    """
    order = rng.permutation(index)
    chunk = BATCH * 50
    parts = [
        sorted(order[i : i + chunk], key=lambda j: len(ids[j])) for i in range(0, len(order), chunk)
    ]
    runs = [np.array(p[i : i + BATCH]) for p in parts for i in range(0, len(p), BATCH)]
    return np.concatenate([runs[i] for i in rng.permutation(len(runs))])


def batches(ids: list[np.ndarray], order: np.ndarray):
    """Padded batches, and each text's length (at least the widest filter)."""
    for start in range(0, len(order), BATCH):
        chosen = order[start : start + BATCH]
        lengths = np.array([max(len(ids[i]), max(WIDTHS)) for i in chosen])
        block = np.zeros((len(chosen), int(lengths.max())), dtype=np.int64)
        for row, i in enumerate(chosen):
            block[row, : len(ids[i])] = ids[i]
        yield chosen, block, lengths


def train(torch, table, ids, y, known, weight, index: np.ndarray, epochs: int, filters: int):
    """One network trained on the rows in `index`."""
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    net = build(torch, table, filters)
    optimiser = torch.optim.Adam(net.parameters(), lr=2e-3)
    positives = (y[index] * known[index]).sum(axis=0)
    negatives = ((1 - y[index]) * known[index]).sum(axis=0)
    pos_weight = torch.tensor(np.clip(negatives / np.maximum(positives, 1), 1, 20))
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none", pos_weight=pos_weight)
    for epoch in range(epochs):
        net.train()
        total = 0.0
        for chosen, block, lengths in batches(ids, bucketed(rng, ids, index)):
            logits = net(torch.tensor(block), torch.tensor(lengths))
            loss = loss_fn(logits, torch.tensor(y[chosen]))
            mask = torch.tensor(known[chosen] * weight[chosen, None])
            loss = (loss * mask).sum() / mask.sum().clamp(min=1)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach())
        print(f"  epoch {epoch + 1}: loss {total:.1f}", file=sys.stderr)
    net.eval()
    return net


def predict(torch, net, ids, index: np.ndarray) -> np.ndarray:
    """Raw outputs (logits) for the rows in `index`."""
    out = np.zeros((len(index), len(CATEGORIES)))
    position = {i: k for k, i in enumerate(index)}
    with torch.inference_mode():
        for chosen, block, lengths in batches(ids, np.asarray(index)):
            logits = net(torch.tensor(block), torch.tensor(lengths)).numpy()
            for row, i in enumerate(chosen):
                out[position[i]] = logits[row]
    return out


def main() -> None:
    import torch
    from sklearn.model_selection import GroupKFold

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--oof", type=Path, help="write out-of-fold logits here, do not train")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--filters", type=int, default=FILTERS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    started = time.monotonic()
    rows = load()
    table = PieceVectors.load()
    ids = encode(table, [r.text for r in rows])
    y, known = targets(rows)
    weight = np.array([CORPUS_WEIGHT if r.exhaustive else 1.0 for r in rows], dtype=np.float32)
    everything = np.arange(len(rows))
    if args.oof:
        logits = np.zeros((len(rows), len(CATEGORIES)))
        groups = fold_groups(rows, "writer")
        for k, (train_index, test_index) in enumerate(
            GroupKFold(n_splits=FOLDS).split(everything, groups=groups)
        ):
            print(f"fold {k + 1}/{FOLDS}", file=sys.stderr)
            net = train(torch, table, ids, y, known, weight, train_index, args.epochs, args.filters)
            logits[test_index] = predict(torch, net, ids, test_index)
        args.oof.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(args.oof, logits=logits)
        print(f"wrote {args.oof} in {time.monotonic() - started:.0f} s", file=sys.stderr)
        return
    net = train(torch, table, ids, y, known, weight, everything, args.epochs, args.filters)
    state = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    arrays = {
        "format": np.array(FORMAT),
        "categories": np.array(CATEGORIES),
        "pieces": np.array(list(table.index)),
        "embed": state["embed.weight"][1:].astype(np.float16),
        "out_w": state["out.weight"].astype(np.float32),
        "out_b": state["out.bias"].astype(np.float32),
    }
    for k, width in enumerate(WIDTHS):
        arrays[f"conv{width}_w"] = state[f"convs.{k}.weight"].astype(np.float32)
        arrays[f"conv{width}_b"] = state[f"convs.{k}.bias"].astype(np.float32)
    with OUT.open("wb") as handle:
        np.savez_compressed(handle, **arrays)
    check(torch, net, ids, rows)
    print(f"wrote {OUT} in {time.monotonic() - started:.0f} s", file=sys.stderr)


def check(torch, net, ids: list[np.ndarray], rows) -> None:
    """The shipped numpy forward pass must give what the network gives (float16 vectors aside)."""
    shipped = PhraseModel.load(OUT)
    sample = np.arange(0, len(rows), max(1, len(rows) // 300))
    expected = predict(torch, net, ids, sample)
    got = np.array([shipped.logits(prepare(fold(rows[i].text).text).text) for i in sample])
    worst = float(np.abs(expected - got).max())
    if worst > 0.05:
        raise SystemExit(f"numpy and torch disagree by {worst:.4f}")
    print(f"numpy forward pass agrees with torch (largest difference {worst:.4f})", file=sys.stderr)


if __name__ == "__main__":
    main()
