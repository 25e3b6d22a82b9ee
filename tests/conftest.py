import os
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("NNCOURSE_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def course_copy(tmp_path):
    """A throwaway copy of the course's inputs and built notebooks, to break on purpose."""
    for name in ("notebooks", "source", "release"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("pyproject.toml", "nbgrader_config.py"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    return tmp_path
