# Setup: in Google Colab, install the course helpers; elsewhere this cell does nothing.
import subprocess
import sys

try:
    import google.colab  # noqa: F401  (this module exists only in Colab)
    IN_COLAB = True
except ImportError:
    IN_COLAB = False

if IN_COLAB:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "COURSE_PIP_URL"], check=True)
