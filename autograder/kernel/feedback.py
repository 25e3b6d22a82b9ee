"""What runs inside nbgrader's generate_feedback: feedback without hidden-test source.

nbgrader shows hidden tests in feedback by default; :class:`HideHiddenTests` replaces each hidden
region by a one-line note and cuts a failing test's traceback to its message. The markers are
nbgrader's own (autograder/markers.py).
"""
from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from ..markers import BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS

from .protocol import FINISH_COMMENT, FINISH_MIME


def unseal(cell) -> None:
    """Remove the grader's finish statement and its output (grading/seal.py) from a cell."""
    if cell.cell_type != "code":
        return
    if FINISH_COMMENT in cell.source:
        cell.source = cell.source.split(FINISH_COMMENT, 1)[0].rstrip("\n")
    cell.outputs = [o for o in cell.get("outputs", []) if FINISH_MIME not in o.get("data", {})]


class Unseal(NbGraderPreprocessor):
    """Feedback shows the test cells as the course wrote them, without the grader's seal."""

    def preprocess_cell(self, cell, resources, index):
        unseal(cell)
        return cell, resources


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback without hidden-test source: the region is replaced by a one-line note and a
    failing hidden test's traceback is cut to its last line (the assertion message)."""

    begin = BEGIN_HIDDEN_TESTS
    end = END_HIDDEN_TESTS

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or self.begin not in cell.source:
            return cell, resources
        kept, hiding, hidden = [], False, 0
        for line in cell.source.splitlines():
            if line.strip() == self.begin:
                hiding = True
            elif line.strip() == self.end:
                hiding = False
                kept.append(f"# ({hidden} lines of hidden tests, not shown)")
                hidden = 0
            elif hiding:
                hidden += 1
            else:
                kept.append(line)
        cell.source = "\n".join(kept)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output.traceback = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
