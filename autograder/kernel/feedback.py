"""What runs inside nbgrader's generate_feedback: feedback without hidden-test source.

nbgrader shows hidden tests in feedback by default; :class:`HideHiddenTests` replaces each hidden
region by a one-line note and cuts a failing test's traceback to its message. The markers are
nbgrader's own (autograder/markers.py).
"""
from __future__ import annotations

import os
import re

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from ..markers import BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS, hidden_test_lines

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


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_FRAME = re.compile(r"^(?:Cell In\[(\d+)\]|File (\S+\.py):\d+)")
PRINTED_NOTE = "(what this cell printed is not shown: it ran hidden tests, and a function can print their inputs)\n"
MESSAGE_NOTE = "(message not shown: it was raised in your code, called by a hidden test)"


def raised_by_the_tests(output, execution_count) -> bool:
    """Whether an error output was raised by the test cell itself or the course's test helpers
    (whose messages the course wrote), judged by the innermost frame of its traceback."""
    frames = [_FRAME.match(_ANSI.sub("", line).strip()) for line in output.get("traceback", [])]
    frames = [f for f in frames if f]
    if not frames:
        return False
    cell, path = frames[-1].groups()
    return (cell is not None and execution_count is not None and int(cell) == execution_count) or (
        path is not None and os.path.dirname(path) == _helpers_dir())


def _helpers_dir() -> str:
    """The course's helpers package, whose test functions raise the course's own messages."""
    import helpers

    return os.path.dirname(os.path.abspath(helpers.__file__))


SCRUBBED = "(a line of hidden tests, not shown)"
MIN_SCRUBBED = 8  # shorter hidden lines ("]", "x = 1") would blank honest output too


def hidden_lines(nb) -> list[str]:
    """The stripped lines inside the notebook's hidden-test regions that are long enough to be
    told apart from other text, longest first."""
    lines = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and BEGIN_HIDDEN_TESTS in cell.source:
            source = cell.source.splitlines()
            lines |= {source[n - 1].strip() for n in hidden_test_lines(cell.source)}
    return sorted((line for line in lines if len(line) >= MIN_SCRUBBED), key=len, reverse=True)


def scrub(text, lines: list[str]):
    """``text`` (a string or a list of strings) with every verbatim occurrence of ``lines`` replaced."""
    if isinstance(text, list):
        return [scrub(t, lines) for t in text]
    if not isinstance(text, str):
        return text
    for line in lines:
        if line in text:
            text = text.replace(line, SCRUBBED)
    return text


def scrub_outputs(cell, lines: list[str]) -> None:
    """Remove hidden-test lines from whatever a cell shows: code in the kernel can read every
    test cell that has run (IPython keeps their source in ``In``) and print it from an answer
    cell, or put it in a value a test's message quotes."""
    for output in cell.get("outputs", []):
        for key in ("text", "evalue", "traceback"):
            if key in output:
                output[key] = scrub(output[key], lines)
        for mime, value in (output.get("data") or {}).items():
            output["data"][mime] = scrub(value, lines)


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback without hidden-test source: the region is replaced by a one-line note, what the
    cell printed is dropped (a graded function can print the hidden inputs it is given), and a
    failing hidden test's traceback is cut to its last line, whose message is kept only when the
    test itself raised it. Every cell's outputs lose any verbatim hidden-test line (see
    scrub_outputs); an encoded copy made by code in the kernel is not recognised."""

    begin = BEGIN_HIDDEN_TESTS
    end = END_HIDDEN_TESTS

    def preprocess(self, nb, resources):
        self._hidden_lines = hidden_lines(nb)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            scrub_outputs(cell, getattr(self, "_hidden_lines", []))
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
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if not raised_by_the_tests(output, cell.get("execution_count")):
                output.evalue = MESSAGE_NOTE
            output.traceback = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
            outputs.append(output)
        if len(outputs) < len(cell.get("outputs", [])):
            outputs.insert(0, new_output("stream", name="stdout", text=PRINTED_NOTE))
        cell.outputs = outputs
        return cell, resources
