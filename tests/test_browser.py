"""A student's first minutes, in a real browser: JupyterLab on localhost, the stage 01 release
notebook in headless Chromium, a wrong `mse_loss` typed into its TODO cell, Run All Cells.

The student must see the data plot and, under the test cell, the failure message that says what
is wrong. A full-page screenshot goes to build/artifacts/ for a person to look at. A second test
opens a collapsed hint (an HTML <details> block in a markdown cell): it must arrive closed, its
text hidden, and show that text once its summary line is clicked.

A third test opens the class report (`grade --report`'s index.html, from results and notebooks it
makes up): its plots must load, its links must open the submissions' pages (where a student's
<script> must not have run), and the PDFs Chromium printed must be PDFs.

Skipped where Chromium or Playwright is missing, unless NNCOURSE_REQUIRE_BROWSER=1 (CI sets it),
which turns the skip into a failure.
"""
import os
import shutil
import time

import pytest

import _browser_support as browser
from autograder.reports.write import write_report
from support.paths import ROOT
from support.report_examples import write_class

STAGE = "01_linear_estimator"
ARTIFACTS = ROOT / "build" / "artifacts"
# What a student might write: the sum of the squared errors, not their mean.
WRONG_MSE_LOSS = '''def mse_loss(yhat, y):
    """Mean squared error between predictions and targets."""
    return float(np.sum((yhat - y) ** 2))
'''
EXPECTED_MESSAGE = "AssertionError: mse_loss (yhat=[1, 2, 3], y=[1, 2, 5]): expected 1.33333, got 4."
# ... and the line under it naming the known mistake (helpers/hints.py, switched on by the setup cell).
EXPECTED_HINT = ("Known mistake? This check fails exactly this way for a known mistake: "
                 "sums the squared errors instead of averaging them.")
# The first hint above the mse_loss TODO, and a sentence from inside it.
HINT_SUMMARY = "Hint 1: the idea"
HINT_TEXT = "No loop is needed."


def _need_browser():
    why = browser.missing_browser()
    if why:
        if os.environ.get("NNCOURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"NNCOURSE_REQUIRE_BROWSER=1 but the browser test cannot run: {why}")
        pytest.skip(why)


@pytest.fixture
def page_on_notebook(tmp_path):
    _need_browser()
    notebooks = tmp_path / "student"
    notebooks.mkdir()
    shutil.copyfile(ROOT / "release" / STAGE / f"{STAGE}.ipynb", notebooks / f"{STAGE}.ipynb")
    home = tmp_path / "jupyter"
    with browser.jupyterlab(notebooks, home) as (base_url, token):
        # Tall enough for the whole notebook down to the failing test to be rendered on one screen.
        with browser.chromium(tmp_path / "chromium-profile", viewport={"width": 1280, "height": 2600}) as page:
            page.set_default_timeout(30_000)
            page.goto(f"{base_url}/lab/tree/{STAGE}.ipynb?token={token}")
            yield page, home


def _cell(page, text):
    return page.locator(".jp-Notebook .jp-Cell", has_text=text).first


def test_student_sees_the_plot_and_the_failure_message(page_on_notebook):
    page, home = page_on_notebook
    started = time.perf_counter()
    try:
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()

        # Type a wrong implementation over the stub, as a student would.
        editor = _cell(page, "def mse_loss").locator(".cm-content")
        editor.click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(WRONG_MSE_LOSS)

        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

        failure = _cell(page, "mse_loss: visible tests passed").locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        failure.wait_for()
        message = failure.inner_text()
        plot = _cell(page, "Noisy samples of a known line").locator(".jp-OutputArea-output img").first
        plot.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth > 300", arg=plot.element_handle())
        setup_outputs = _cell(page, "# Setup: in Google Colab").locator(".jp-OutputArea-output").count()
        # Scroll back up so that the screenshot shows the plot and, below it, the failing test.
        _cell(page, "Noisy samples of a known line").evaluate("cell => cell.scrollIntoView({block: 'start'})")
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"browser_{STAGE}.png"), full_page=True)
        # And one laptop-sized screen, scrolled to the failing test.
        page.set_viewport_size({"width": 1280, "height": 800})
        _cell(page, "mse_loss: visible tests passed").evaluate("cell => cell.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(ARTIFACTS / f"browser_{STAGE}_screen.png"))
        print(f"browser steps took {time.perf_counter() - started:.1f} s; screenshot in {ARTIFACTS}")

    assert EXPECTED_MESSAGE in message, f"the test cell shows:\n{message}\nJupyterLab log:\n{browser.server_log(home)}"
    assert EXPECTED_HINT in message, f"the test cell shows:\n{message}"
    assert setup_outputs == 0, "the setup cell printed something outside Colab"


def test_a_collapsed_hint_opens_when_its_summary_is_clicked(page_on_notebook):
    page, home = page_on_notebook
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    # The first markdown cell with hints is the one above the mse_loss TODO.
    cell = page.locator(".jp-Notebook .jp-MarkdownCell",
                        has=page.locator("details summary", has_text=HINT_SUMMARY)).first
    cell.scroll_into_view_if_needed()
    assert "mse_loss" in cell.inner_text()
    hint = cell.locator(".jp-RenderedMarkdown details", has_text=HINT_SUMMARY).first
    hint.wait_for(state="attached")
    hidden = hint.get_by_text(HINT_TEXT, exact=False)
    assert hint.evaluate("d => d.open") is False, "the hint should arrive collapsed"
    assert not hidden.is_visible(), f"the hint's text is visible before it is opened:\n{browser.server_log(home)}"

    hint.locator("summary").click()
    hidden.wait_for(state="visible", timeout=5_000)
    assert hint.evaluate("d => d.open") is True
    # The markdown inside the hint is rendered (a paragraph with inline code), not shown as raw text.
    assert hint.locator("p code", has_text="np.mean").count() >= 1, hint.inner_html()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    cell.screenshot(path=str(ARTIFACTS / f"browser_{STAGE}_hint.png"))


def test_the_class_report_shows_its_plots_and_opens_the_submission_pages(tmp_path):
    _need_browser()
    index, pages = write_report(write_class(tmp_path / "class"), tmp_path / "report", pdf=True)
    with browser.chromium(tmp_path / "chromium-profile", viewport={"width": 1280, "height": 800}) as page:
        page.set_default_timeout(30_000)
        page.goto(index.as_uri())
        plots = page.locator("img.plot")
        assert plots.count() == 2  # scores and pass rates (time is not measured)
        for i in range(plots.count()):
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=plots.nth(i).element_handle())
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "class_report.png"), full_page=True)

        page.get_by_role("link", name="answers").first.click()
        page.locator(".answer-block .context-side").first.wait_for()
        assert "test accuracy 0.9137" in page.locator(".answer-block").first.inner_text()
        page.get_by_role("link", name="whole notebook").click()
        page.get_by_text("final loss 0.4213").first.wait_for()
        assert page.evaluate("() => window.PWNED") is None, "a student's script ran in the page"
        page.get_by_role("link", name="class report").click()
        page.locator("img.plot").first.wait_for()
    for p in [index.with_suffix(".pdf")] + [tmp_path / "report" / pdf for r in pages.values()
                                             for pdf in (r.notebook_pdf, r.answers_pdf) if pdf]:
        assert p.read_bytes()[:4] == b"%PDF", p
    assert sum(1 for r in pages.values() if r.notebook_pdf and r.answers_pdf) == 2  # alice, bob
