"""Reading and writing notebooks the one way the whole project does it."""
from __future__ import annotations

from pathlib import Path

import nbformat

# Every notebook the course writes runs on the standard Python 3 kernel.
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def write_notebook(nb, path: Path) -> None:
    """Write ``nb`` as nbformat 4 text ending in a newline, making the folders it needs."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(nb, version=4)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
