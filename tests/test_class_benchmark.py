"""benchmarks/class_grading.py builds the class it times; the timing itself is run by hand."""
import importlib.util
import os

from support.paths import ROOT

spec = importlib.util.spec_from_file_location("class_grading", ROOT / "benchmarks" / "class_grading.py")
class_grading = importlib.util.module_from_spec(spec)
spec.loader.exec_module(class_grading)


def test_generated_class_mixes_references_mutants_and_blanks(tmp_path):
    made = class_grading.make_class("05_mnist_softmax", 8, tmp_path)
    assert len(made) == 8
    kinds = list(made.values())
    assert kinds.count("reference") == 2 and kinds.count("blank") == 2
    assert len({k for k in kinds if k.startswith("mutant")}) == 4, "each mutant student holds a different mutant"
    for student in made:
        assert (tmp_path / "submitted" / student / "05_mnist_softmax" / "05_mnist_softmax.ipynb").is_file()


def test_memory_of_a_process_tree_includes_its_children():
    import subprocess
    import sys
    import time

    child = subprocess.Popen([sys.executable, "-c", "import time; x = bytearray(200 * 2**20); time.sleep(30)"])
    try:
        deadline = time.monotonic() + 30
        while class_grading.tree_rss(child.pid) < 150 * 2**20 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert class_grading.tree_rss(os.getpid()) >= class_grading.tree_rss(child.pid) > 150 * 2**20
    finally:
        child.kill()
