"""Captioned MNIST as in alignDRAW (Mansimov et al., ICLR 2016, Sec. 4.1): one or two MNIST digits
on a 60x60 canvas, each image with a caption naming its digits and their positions.

Grammar (version ``alignDRAW-mnist-v1``; every caption is one of these two forms)::

    caption  := one | two
    one      := "the digit" DIGIT "is at the" POS
    two      := "the digit" DIGIT "is at the" POS "and the digit" DIGIT "is at the" POS
    DIGIT    := zero | one | two | three | four | five | six | seven | eight | nine
    POS      := top left | top right | bottom left | bottom right

The canvas is cut into four 30x30 quadrants; a digit (28x28) sits in its quadrant at an offset of
0-2 px in each direction; two digits never share a quadrant, and the caption names them in
reading order (top left, top right, bottom left, bottom right). Tokens: the words above, id 0
is padding; captions are padded to ``MAX_TOKENS``.
"""

from __future__ import annotations

import numpy as np

GRAMMAR = "alignDRAW-mnist-v1"
CANVAS = 60
QUAD = 30
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
POSITIONS = ("top left", "top right", "bottom left", "bottom right")
VOCAB = ("<pad>", "the", "digit", "is", "at", "and", "top", "bottom", "left", "right", *DIGIT_WORDS)
WORD_ID = {w: i for i, w in enumerate(VOCAB)}
MAX_TOKENS = 20
QUADRANT_ORIGIN = ((0, 0), (0, QUAD), (QUAD, 0), (QUAD, QUAD))
"""(row, col) of each quadrant's top left corner, in POSITIONS order."""


def caption_text(items: list[tuple[int, int]]) -> str:
    """``items`` = [(digit, quadrant), ...] in quadrant order -> the caption."""
    parts = [f"the digit {DIGIT_WORDS[d]} is at the {POSITIONS[q]}" for d, q in items]
    return " and ".join(parts)


def tokenize(text: str) -> list[int]:
    words = text.split()
    unknown = [w for w in words if w not in WORD_ID or w == "<pad>"]
    if unknown:
        raise ValueError(f"captioned-mnist: words {unknown} are not in the grammar's vocabulary")
    if len(words) > MAX_TOKENS:
        raise ValueError(f"captioned-mnist: a caption of {len(words)} words is longer than {MAX_TOKENS}")
    return [WORD_ID[w] for w in words] + [0] * (MAX_TOKENS - len(words))


def parse(tokens: list[int] | np.ndarray) -> list[tuple[int, int]]:
    """The (digit, quadrant) pairs a token caption names (inverse of tokenize + caption_text)."""
    words = [VOCAB[int(t)] for t in tokens if int(t) != 0]
    out, i = [], 0
    while i < len(words):
        if words[i : i + 2] != ["the", "digit"] or words[i + 3 : i + 6] != ["is", "at", "the"]:
            raise ValueError(f"captioned-mnist: not a caption of the grammar: {' '.join(words)!r}")
        digit = DIGIT_WORDS.index(words[i + 2])
        quadrant = POSITIONS.index(f"{words[i + 6]} {words[i + 7]}")
        out.append((digit, quadrant))
        i += 8
        if i < len(words):
            if words[i] != "and":
                raise ValueError(f"captioned-mnist: not a caption of the grammar: {' '.join(words)!r}")
            i += 1
    return out


def build(images: np.ndarray, labels: np.ndarray, n: int, seed: int, two_digit_share: float = 0.5
          ) -> tuple[np.ndarray, np.ndarray, list[list[tuple[int, int]]]]:
    """``n`` canvases (uint8, (n, 60, 60)), their token captions ((n, MAX_TOKENS) int64) and items,
    drawn deterministically from the MNIST ``images`` (uint8 (N, 28, 28)) and ``labels`` with ``seed``."""
    rng = np.random.default_rng(seed)
    canvases = np.zeros((n, CANVAS, CANVAS), np.uint8)
    tokens = np.zeros((n, MAX_TOKENS), np.int64)
    all_items = []
    for k in range(n):
        count = 2 if rng.random() < two_digit_share else 1
        quads = sorted(rng.choice(4, size=count, replace=False).tolist())
        items = []
        for q in quads:
            idx = int(rng.integers(len(images)))
            dy, dx = (int(v) for v in rng.integers(0, QUAD - 28 + 1, size=2))
            r, c = QUADRANT_ORIGIN[q][0] + dy, QUADRANT_ORIGIN[q][1] + dx
            canvases[k, r : r + 28, c : c + 28] = np.maximum(canvases[k, r : r + 28, c : c + 28], images[idx])
            items.append((int(labels[idx]), q))
        tokens[k] = tokenize(caption_text(items))
        all_items.append(items)
    return canvases, tokens, all_items
