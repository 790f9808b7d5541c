"""Peak memory of a process, read from that process.

``resource.getrusage(...).ru_maxrss`` is the wrong figure for a child: Linux carries the size of
the process that forked it across ``fork`` and ``exec`` (``/bin/true`` started from a 90 MB
parent reports 91 MB), and ``RUSAGE_CHILDREN`` is the largest of every child ever waited for.
``VmHWM`` in ``/proc/PID/status`` is the high-water mark of the process's own memory since its
``exec``: read inside the process (:func:`peak_rss_mb`) or, for a command run to its end, by
:func:`run_measured`, which has the command's own interpreter report it at exit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["peak_rss_mb", "rss_mb", "run_measured"]


def _status_mb(field: str, pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb(pid: int | str = "self") -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    return _status_mb("VmHWM", pid)


def rss_mb(pid: int | str = "self") -> float:
    """The process's resident memory now (VmRSS), in MB."""
    return _status_mb("VmRSS", pid)


# Run as the child's first code: report VmHWM to a file at exit, then run the module as -m would.
_WRAPPER = """
import atexit, runpy, sys
def _report(path=sys.argv[1]):
    with open("/proc/self/status") as f:
        hwm = next(l for l in f if l.startswith("VmHWM:"))
    with open(path, "w") as out:
        out.write(str(int(hwm.split()[1]) / 1024))
atexit.register(_report)
module = sys.argv[2]
sys.argv = [module] + sys.argv[3:]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


def run_measured(module: str, args: list[str], **kwargs: Any) -> float:
    """``python -m MODULE ARGS…`` to its end (``check=True``); returns its own peak RSS in MB."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "peak")
        subprocess.run(
            [sys.executable, "-c", _WRAPPER, report, module, *args], check=True, **kwargs
        )
        return float(json.loads(Path(report).read_text()))
