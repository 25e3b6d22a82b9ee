"""The grader's static scan of submitted source: what it must flag, and honest work it must not."""
import pytest

from autograder.catalogue import catalogue
from autograder.catalogue.examples import reference_submission, with_cell
from autograder.grading.scan import scan_notebook, scan_source
from autograder.paths import resolve_assignments

HOSTILE = {
    "input transformer": "get_ipython().input_transformers_cleanup.append(lambda lines: [])",
    "ast transformer": "ip = get_ipython()\nip.ast_transformers.append(object())",
    "custom exception handler": "get_ipython().set_custom_exc((AssertionError,), lambda *a, **k: None)",
    "traceback display": "get_ipython().showtraceback = lambda *a, **k: None",
    "trace function": "import sys\nsys.settrace(lambda *a: None)",
    "excepthook": "import sys\nsys.excepthook = print",
    "numpy private module": "from numpy._core import umath\numath.isclose = None",
    "frame introspection": "import sys\nf = sys._getframe(1)\nf.f_globals['x'] = 1",
    "gc introspection": "import gc\nobjs = gc.get_objects()",
    "code object edit": "def f(): pass\nf.__code__ = (lambda: 1).__code__",
    "getattr with a built name": "getattr(get_ipython(), 'ast_' + 'transformers').append(1)",
    "setattr with a joined name": "import sys\nsetattr(sys, ''.join(['except', 'hook']), print)",
    "f-string name": "getattr(get_ipython(), f'{\"input\"}_transformers_post')",
    "__import__ of a private module": "m = __import__('numpy._core.umath')",
    "exec of a built string": "code = 'import sys; sys.settrace(None)'\nexec(code)",
    "exec of a constant": "exec('get_ipython().ast_transformers.clear()')",
    "eval": "eval('1 + 1')",
    "run_cell_async wrapped": "ip = get_ipython()\nrun = ip.run_cell_async\nip.run_cell_async = run",
    "transform_cell replaced": "get_ipython().transform_cell = lambda raw: 'pass'",
    "compiler's ast_parse replaced": "c = get_ipython().compile\nc.ast_parse = lambda *a, **k: None",
    "getattr with a reversed name": "getattr(shell, 'stneve'[::-1]).register('post_run_cell', print)",
    "a magic line before hostile code": "%env X=1\nget_ipython().events.register('post_run_cell', print)",
    "the shell reached through the IPython module": "import IPython\nIPython.get_ipython().ast_transformers",
    "the shell as a class instance": "from IPython.core.interactiveshell import InteractiveShell\nInteractiveShell.instance()",
    "%config changes IPython": "%config InteractiveShell.ast_node_interactivity = 'none'",
    "%run hides a file's code": "%run helper_i_wrote.py",
    "an extension of one's own": "%load_ext my_extension",
    "a cell magic whose body is hostile": "%%time\nimport sys\nsys.settrace(None)",
    "vars of a module": "import numpy as np\nvars(np)['allclose'] = lambda *a, **k: True",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_source_is_flagged(name):
    assert scan_source(HOSTILE[name]), f"{name} was not flagged"


@pytest.mark.parametrize("source", [
    "import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0)",
    "for name in ('W', 'b'):\n    value = getattr(layer, name)",
    "import re\npattern = re.compile('a+')",
    "print('events of the day')",
    "x = __import__('math').sqrt(2)",
    "%matplotlib inline",
    "%timeit relu(np.ones(3))",
    "!ls -l",
    "%load_ext autoreload\n%autoreload 2",
    "%%time\nout = relu(np.ones(3))",
    "from IPython.display import display\ndisplay(out)",
])
def test_ordinary_code_is_not_flagged(source):
    assert scan_source(source) == []


@pytest.mark.parametrize("assignment", resolve_assignments([]))
def test_reference_and_correct_variants_are_never_flagged(assignment):
    reference = reference_submission(assignment)
    assert scan_notebook(reference, assignment) == []
    for variant in catalogue(assignment):
        if variant.correct:
            nb = with_cell(reference, variant.cell, variant.source)
            assert scan_notebook(nb, assignment) == [], variant.name


def test_a_flag_names_the_cell():
    nb = with_cell(reference_submission("01_linear_estimator"), "mse_loss",
                   "import sys\nsys.settrace(None)\ndef mse_loss(yhat, y):\n    return 0.0\n")
    [flag] = scan_notebook(nb, "01_linear_estimator")
    assert flag.startswith("changes how grading works: uses settrace") and flag.endswith("(mse_loss)")
