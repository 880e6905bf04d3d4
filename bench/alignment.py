"""How good are the labels derived by alignment, and is decoding clean? Per corpus:

    python -m bench.alignment --corpus DIR [--corpus DIR ...]

- aligned F1: token F1 of the blocks `align` labels content, against the clean text;
- ceiling: the best F1 a choice of blocks reaches for this segmentation (greedy by block precision);
- pages whose decoded text has U+FFFD replacement characters that the gold text does not have.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from boilerplate.align import align, oracle_f1
from boilerplate.corpora import corpus_paths, read_corpus
from boilerplate.decode import decode_text
from boilerplate.metrics import token_prf
from boilerplate.segment import segment


def corpus_alignment(path) -> dict:
    """Mean aligned F1, mean ceiling, and the ids of pages with replacement characters."""
    aligned, ceiling, replaced = [], [], []
    for page in read_corpus(path):
        text = decode_text(page.html)
        if "\ufffd" in text and "\ufffd" not in page.clean:
            replaced.append(page.id)
        blocks = segment(text, kind="html")
        labels = align(blocks, page.clean)
        kept = "\n".join(t for t, keep in zip(blocks.texts, labels) if keep)
        aligned.append(token_prf(kept, page.clean).f1)
        ceiling.append(oracle_f1(blocks, page.clean))
    return {"pages": len(aligned), "aligned_f1": float(np.mean(aligned)),
            "ceiling_f1": float(np.mean(ceiling)), "replacement_pages": replaced}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.alignment", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append", help="corpus directory (default: $BOILERPLATE_CORPORA)")
    args = ap.parse_args(argv)
    paths = corpus_paths(args.corpus)
    if not paths:
        print("alignment: no corpus given", file=sys.stderr)
        return 2
    print("| corpus | pages | aligned F1 | ceiling F1 | pages with U+FFFD not in gold |")
    print("|---|---:|---:|---:|---|")
    for path in paths:
        r = corpus_alignment(path)
        print(f"| {path.name} | {r['pages']} | {r['aligned_f1']:.4f} | {r['ceiling_f1']:.4f} | "
              f"{len(r['replacement_pages'])} {' '.join(x[:8] for x in r['replacement_pages'])} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
