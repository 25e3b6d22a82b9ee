"""The report pages and the class report, from notebooks and results these tests make up
(tests/support/report_examples.py): no nbgrader, no kernel, no browser.

Checked: hidden-test text never reaches a page; a <script> (or an event attribute, a javascript:
link, a JavaScript output) in a student's output or markdown is not executable in the page; the
answers page puts each answer beside the outputs its rule picks; every link in the CSV and in
index.html resolves to a file that exists; the class report's plots, pass rates, flags and
"not measured"; `report --html` from saved JSON; --pdf without Chromium stops with one line.
"""
import base64
import copy
import csv
import json
import re
import struct
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from autograder.catalogue.examples import reference_submission
from autograder.cli import main
from autograder.grading.report import write_csv
from autograder.reports.answers import blocks
from autograder.reports.class_report import class_report
from autograder.reports.pages import answers_page, notebook_page
from autograder.reports.write import csv_links, write_report
from support.report_examples import ASSIGNMENT, SECRET, notebook, write_class


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each <script>."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.scripts, self._in_script = [], [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append({"attrs": dict(attrs), "text": ""})

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1]["text"] += data


def both_pages(nb, student="alice"):
    return notebook_page(nb, student, ASSIGNMENT), answers_page(nb, student, ASSIGNMENT)


@pytest.fixture(scope="module")
def pages():
    """(notebook page, answers page) of the made-up notebook, rendered once for these tests."""
    return both_pages(notebook())


def test_hidden_tests_never_reach_a_page(pages):
    for page in pages:
        assert SECRET not in page and "secret_hidden_check" not in page
        assert "BEGIN HIDDEN TESTS" not in page.upper() and "END HIDDEN TESTS" not in page.upper()
    notebook_html = pages[0]
    assert "f: visible tests passed" in notebook_html  # the visible part of the test cell is kept
    assert "hidden tests removed from this page" in notebook_html


def test_hidden_tests_in_outputs_and_unclosed_regions_are_cut():
    nb = notebook()
    nb.cells[4].outputs[0]["text"] = f"### BEGIN HIDDEN TESTS\n{SECRET}\n"  # never closed
    nb.cells[4].source = f"x = 1\n### begin hidden tests\n{SECRET}"
    for page in both_pages(nb):
        assert SECRET not in page


def test_a_script_in_an_output_or_markdown_cannot_run(pages):
    for page in pages:
        found = Elements(page)
        for script in found.scripts:
            assert "PWNED" not in script["text"], script
            assert script["attrs"].get("type") == "text/x-mathjax-config" or \
                script["attrs"].get("src", "").startswith("https://cdnjs.cloudflare.com/ajax/libs/mathjax/"), script
        for tag, attrs in found.tags:
            assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
            for name in ("href", "src"):
                assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), (tag, attrs)
    assert "<b>bold</b>" in pages[0]  # harmless HTML is still rendered


def _blocks_of(page: str) -> list[tuple[str, str]]:
    """(answer side, context side) of each block of an answers page."""
    parts = page.split('<section class="answer-block">')[1:]
    return [tuple(part.split("</section>")[0].split('<div class="context-side">', 1)) for part in parts]


def test_each_answer_sits_beside_the_outputs_it_discusses(pages):
    shown = _blocks_of(pages[1])
    assert len(shown) == 2
    (answer1, context1), (answers2, context2) = shown
    # In its own section: only that section's output.
    assert "alice thinks the accuracy is fine." in answer1 and "Is 0.91 good?" in answer1
    assert "test accuracy 0.9137" in context1 and "final loss 0.4213" not in context1
    # In a section of questions only: both answers, beside every output before that section.
    assert "alice: because of the gradient." in answers2 and "alice: a falling curve." in answers2
    assert "Why does the loss fall?" in answers2
    assert "final loss 0.4213" in context2 and "test accuracy 0.9137" in context2
    assert context2.count("data:image/png;base64,") == 1
    for context in (context1, context2):
        assert "visible tests passed" not in context  # test cells' outputs are not context
        assert "print(" not in context                # context shows outputs, not code
    assert "def f()" not in pages[1]


def test_answers_are_found_in_a_course_submission_whose_metadata_was_dropped():
    nb = reference_submission("01_linear_estimator")
    stripped = copy.deepcopy(nb)
    for cell in stripped.cells:
        cell.metadata = {}
    page = answers_page(stripped, "dana", "01_linear_estimator")
    assert [len(b.answers) for b in blocks(nb)] == [3]
    assert len(_blocks_of(page)) == 1 and "3 hand-graded answers" in page
    assert "checkpoint_large_lr" in page


def _local_links(page: Path) -> list[str]:
    hrefs = [attrs.get("href") for tag, attrs in Elements(page.read_text(encoding="utf-8")).tags if tag == "a"]
    return [h for h in hrefs if h and not h.startswith(("#", "http:", "https:", "mailto:"))]


def test_links_in_the_csv_and_the_report_resolve_to_pages(tmp_path):
    results = write_class(tmp_path / "class")
    index, pages = write_report(results, tmp_path / "report")
    table = tmp_path / "grades" / "grades.csv"
    write_csv(results, table, csv_links(pages, tmp_path / "report", table, len(results)))
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert [r["student"] for r in rows] == ["alice", "bob", "carol"]
    for row in rows[:2]:
        for column in ("page", "answers_page"):
            assert (table.parent / row[column]).is_file(), row[column]
    assert rows[2]["page"] == rows[2]["answers_page"] == ""  # carol's notebook is broken: no pages
    links = _local_links(index)
    assert len(links) >= 4
    for link in links:
        assert (index.parent / unquote(link)).is_file(), link
    for page in (tmp_path / "report" / ASSIGNMENT).glob("*.html"):
        for link in _local_links(page):
            assert (page.parent / unquote(link)).is_file(), (page, link)
    assert "no pages: carol.ipynb is not a readable notebook" in index.read_text(encoding="utf-8")


def _png_size(uri: str) -> tuple[int, int]:
    data = base64.b64decode(uri.split(",", 1)[1])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_class_report_has_plots_rates_flags_and_time(tmp_path):
    results = write_class(tmp_path / "class")
    text = class_report(results, {})
    images = re.findall(r"src='(data:image/png;base64,[^']+)'", text)
    assert len(images) == 2  # scores and pass rates; time is not measured
    for uri in images:
        width, height = _png_size(uri)
        assert 600 <= width <= 1000 and 100 <= height <= 700, (width, height)
    assert "<td>test_f</td><td class='num'>1 / 2</td><td class='num'>50%</td>" in text
    assert "numpy patched: np.allclose replaced" in text and "time limit: cell 10" in text
    assert "Time per submission</h2><p class='muted'>not measured" in text
    assert "likely cause" not in text.lower()

    results[0].seconds, results[1].seconds = 4.5, 7.25
    results[1].likely_causes = ["used the sum of the squared errors, not their mean"]
    text = class_report(results, {})
    assert len(re.findall(r"src='data:image/png", text)) == 3
    assert "7.2 s" in text and "median" in text
    assert "Most common likely causes" in text and "used the sum of the squared errors" in text


def test_report_command_makes_the_class_report_from_saved_json(tmp_path, capsys):
    results = write_class(tmp_path / "class")
    saved = tmp_path / "results.json"
    saved.write_text(json.dumps([r.to_dict() for r in results]), encoding="utf-8")
    code = main(["report", str(saved), "--html", str(tmp_path / "report"), "--csv", str(tmp_path / "g.csv")])
    assert code == 0
    assert "wrote " in capsys.readouterr().out
    assert (tmp_path / "report" / "index.html").is_file()
    rows = list(csv.DictReader((tmp_path / "g.csv").open(encoding="utf-8")))
    assert (tmp_path / rows[0]["answers_page"]).is_file()
    assert "seconds" not in json.loads(saved.read_text())[0]  # not measured: left out of the JSON


def test_pdf_without_chromium_stops_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NNCOURSE_CHROMIUM", str(tmp_path / "no-chromium"))
    saved = tmp_path / "results.json"
    saved.write_text(json.dumps([r.to_dict() for r in write_class(tmp_path / "class")]), encoding="utf-8")
    assert main(["report", str(saved), "--html", str(tmp_path / "report"), "--pdf"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "apt-get install chromium" in err
    assert not (tmp_path / "report").exists()
    assert main(["report", str(saved), "--pdf"]) == 2
    assert "--html" in capsys.readouterr().err
