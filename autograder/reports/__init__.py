"""The instructor's reading after grading: each submission's own run as a web page, a short page of
its hand-graded answers beside the outputs they discuss, the class report, and PDFs of them.

- ``safe.py``: what a submitted notebook may not bring into a page (hidden tests, scripts' hooks);
- ``render.py``: the one nbconvert HTMLExporter every page goes through (sanitised);
- ``answers.py``: which cells are hand-graded answers and which outputs each one discusses;
- ``pages.py``: the two pages of one submission;
- ``plots.py`` and ``class_report.py``: ``index.html``, the class report;
- ``pdf.py``: the same pages as PDF, printed by Chromium;
- ``write.py``: all of it for a list of results, as ``grade --report`` and ``report --html`` call it.
"""
