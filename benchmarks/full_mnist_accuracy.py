"""Run stage 05's reference notebook on the full MNIST from a folder of IDX files you already have.

    .venv/bin/python benchmarks/full_mnist_accuracy.py --idx-dir DIR [--save executed.ipynb] [--json]

DIR holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
t10k-labels-idx1-ubyte (plain or with .gz). The notebook normally downloads them through
`helpers.mnist.load_mnist()`, which checks the published SHA-256 of the .gz files; this script is
for copies that come another way (a plain-IDX copy, for example from a package registry), so it
reads them with the same parser and reports each file's SHA-256 and the array shapes instead.
It executes source/05_mnist_softmax with everything as a student would run it (20 epochs on the
full set) and prints the test accuracy of the reference network and of scikit-learn's
MLPClassifier, and the wall time.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.mnist import MNIST_FILES, read_idx  # noqa: E402

ASSIGNMENT = "05_mnist_softmax"


def find_files(folder: Path) -> dict[str, Path]:
    """Published .gz name -> the file in ``folder`` (plain or gzip)."""
    found = {}
    for name in MNIST_FILES:
        for candidate in (folder / name, folder / name[: -len(".gz")]):
            if candidate.is_file():
                found[name] = candidate
                break
        else:
            raise SystemExit(f"{folder} has neither {name} nor {name[:-3]}")
    return found


def describe(files: dict[str, Path]) -> dict:
    info = {}
    for name, path in files.items():
        array = read_idx(path)
        info[path.name] = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "shape": list(array.shape),
                           "min": int(array.min()), "max": int(array.max())}
    shapes = {k: tuple(v["shape"]) for k, v in info.items()}
    expected = {(60000, 28, 28), (60000,), (10000, 28, 28), (10000,)}
    if set(shapes.values()) != expected:
        raise SystemExit(f"these are not the MNIST files: shapes {shapes}")
    return info


def run(files: dict[str, Path], save: Path | None) -> dict:
    nb = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    paths = {name: str(path) for name, path in files.items()}
    patch = nbformat.v4.new_code_cell(
        "# Added by benchmarks/full_mnist_accuracy.py: load MNIST from local IDX files.\n"
        "from pathlib import Path\n"
        "import helpers.mnist as _mnist\n"
        f"_paths = {paths!r}\n"
        "_mnist.load_mnist = lambda *args, **kwargs: _mnist._load_full(\n"
        "    {k: Path(v) for k, v in _paths.items()}, Path(next(iter(_paths.values()))).parent)\n")
    nb.cells.insert(0, patch)
    start = time.perf_counter()
    NotebookClient(nb, timeout=None, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "source" / ASSIGNMENT)}}).execute()
    seconds = time.perf_counter() - start
    if save:
        nbformat.write(nb, save)
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                     if o.get("output_type") == "stream")
    ours = re.search(r"after (\d+) epochs: training accuracy ([\d.]+), validation accuracy ([\d.]+), "
                     r"test accuracy ([\d.]+)", text)
    sk = re.search(r"test accuracy on the ([^:]+): ours ([\d.]+), scikit-learn MLPClassifier ([\d.]+)", text)
    shapes = re.search(r"training images \((\d+), 784\), test images \((\d+), 784\)", text)
    return {"train_images": int(shapes.group(1)), "test_images": int(shapes.group(2)), "epochs": int(ours.group(1)),
            "train_accuracy": float(ours.group(2)), "val_accuracy": float(ours.group(3)),
            "test_accuracy": float(ours.group(4)),
            "sklearn_test_accuracy": float(sk.group(3)) if sk else None, "notebook_seconds": round(seconds, 1)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idx-dir", type=Path, required=True)
    parser.add_argument("--save", type=Path, help="write the executed notebook here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    files = find_files(args.idx_dir)
    report = {"files": describe(files), **run(files, args.save), "date": time.strftime("%Y-%m-%d")}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, info in report["files"].items():
            print(f"{name}: shape {tuple(info['shape'])}, sha256 {info['sha256'][:16]}...")
        print(f"the notebook saw {report['train_images']} training and {report['test_images']} test images")
        print(f"reference network after {report['epochs']} epochs: test accuracy {report['test_accuracy']:.4f} "
              f"(train {report['train_accuracy']:.4f}, validation {report['val_accuracy']:.4f}); "
              f"scikit-learn MLPClassifier {report['sklearn_test_accuracy']}; "
              f"notebook ran {report['notebook_seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
