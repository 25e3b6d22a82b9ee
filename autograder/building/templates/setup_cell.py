# Setup: in Google Colab, install the course helpers (elsewhere they are installed already). Then a
# failing test whose message is exactly that of a known mistake also names the mistake.
import os
import subprocess
import sys

try:
    import google.colab  # noqa: F401  (this module exists only in Colab)
    IN_COLAB = True
except ImportError:
    IN_COLAB = False

if IN_COLAB:
    # GIT_TERMINAL_PROMPT=0: a wrong address fails at once instead of waiting for a password
    _install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "COURSE_PIP_URL"],
                              capture_output=True, text=True, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    if _install.returncode != 0:
        print(_install.stdout + _install.stderr, file=sys.stderr)
        raise RuntimeError("Installing the course helpers failed (pip's message is above). Check that this "
                           "runtime is connected to the internet and run this cell again; if pip cannot "
                           "find the repository, open the notebook again from the course page or tell "
                           "your instructor.")

from helpers.hints import show_known_mistakes

show_known_mistakes("COURSE_ASSIGNMENT_ID")
