"""What one submission may use while it is graded: the single source of every limit's default
and unit. The CLI's options, GuardedExecute's traitlets and the notes students read all take
their values and wording from here."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

from .paths import UsageError


@dataclass(frozen=True)
class Limits:
    cell_timeout: int = 300               # seconds one cell may run before it is interrupted
    submission_timeout: int = 1200        # seconds the whole notebook may run
    memory: int = 4 * 2**30               # bytes of address space per kernel
    output: int = 1_000_000               # characters of output kept per cell
    disk: int = 100 * 2**20               # bytes a submission may write (sandboxed kernels)
    processes: int = 256                  # processes and threads per sandboxed kernel
    cpu_time: int = 2400                  # CPU seconds per sandboxed kernel (2 x the notebook limit)

    def describe(self) -> dict[str, str]:
        """Each limit in words with its unit, for help texts and reports."""
        return {
            "cell_timeout": f"{self.cell_timeout} s per cell",
            "submission_timeout": f"{self.submission_timeout} s per notebook",
            "memory": f"{format_size(self.memory)} of address space per kernel",
            "output": f"{self.output} characters of output per cell",
            "disk": f"{format_size(self.disk)} written per submission",
            "processes": f"{self.processes} processes per kernel",
            "cpu_time": f"{self.cpu_time} CPU seconds per kernel",
        }


DEFAULT = Limits()
UNITS = {f.name: {"cell_timeout": "s", "submission_timeout": "s", "memory": "bytes", "output": "characters",
                  "disk": "bytes", "processes": "processes", "cpu_time": "s"}[f.name] for f in fields(Limits)}


def parse_size(text: str) -> int:
    """'512M', '4G', '1.5G' or a number of bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgKMG]?)i?[bB]?\s*", str(text))
    if not match:
        raise UsageError(f"cannot read the size {text!r}: write it like 512M or 4G")
    scale = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}[match.group(2).lower()]
    return int(float(match.group(1)) * scale)


def format_size(size: int) -> str:
    for unit, scale in (("G", 2**30), ("M", 2**20), ("K", 2**10)):
        if size >= scale and size % (scale // 16 or 1) == 0:
            return f"{size / scale:g}{unit}"
    return f"{size}"
