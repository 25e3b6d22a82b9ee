import os
import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("NNCOURSE_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]  # for the fixtures below; test files use support.paths


@pytest.fixture
def course_copy(tmp_path):
    """A throwaway copy of the course's inputs and built notebooks, to break on purpose."""
    for name in ("notebooks", "source", "release"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("pyproject.toml", "nbgrader_config.py"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    return tmp_path


# The slow tier: test files that run nbgrader, a real browser or a cluster. `make test-fast`
# leaves them out (pytest -m "not slow"); `make test` runs everything. A new test file that runs
# any of those belongs in this list.
SLOW_FILES = {"test_browser.py", "test_build.py", "test_class_grading.py", "test_colab.py",
              "test_grade_cli.py", "test_hostile.py", "test_mutants.py", "test_publish.py",
              "test_restore.py", "test_slurm.py", "test_framework.py", "test_deadlines_grading.py",
              "test_report_cli.py", "test_isolate.py", "test_warm_kernels.py"}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs nbgrader, a browser or a cluster (left out by make test-fast)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)
