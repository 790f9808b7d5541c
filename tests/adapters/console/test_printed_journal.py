"""The console's journal of printed outbox lines (adapters.console.PrintedJournal), read back
as the next start reads it: from the file a killed process left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from adapters.console.adapter import PrintedJournal

KILLED_AFTER_NOTING = """
import os, signal, sys
from pathlib import Path
from adapters.console.adapter import PrintedJournal
journal = PrintedJournal(Path(sys.argv[1]))
for message_id in (7, 12, 3000):
    journal.note(message_id)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_notes_survive_a_killed_process(tmp_path: Path) -> None:
    path = tmp_path / "pledgebot.db-console"
    root = Path(__file__).resolve().parents[3]
    run = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_NOTING, str(path)],
        cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, timeout=60,
    )  # fmt: skip
    assert run.returncode == -signal.SIGKILL
    assert PrintedJournal(path).noted() == [7, 12, 3000]


def test_a_note_cut_short_is_no_note(tmp_path: Path) -> None:
    path = tmp_path / "pledgebot.db-console"
    path.write_bytes(b"7\n12\n30" + bytes(100))  # a kill in the middle of noting 3000
    assert PrintedJournal(path).noted() == [7, 12]


def test_cleared_the_notes_are_gone_and_new_ones_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "pledgebot.db-console"
    journal = PrintedJournal(path)
    journal.note(1)
    journal.note(2)
    journal.clear()
    assert PrintedJournal(path).noted() == []
    for message_id in range(3, 3 + 10_000):  # more than the first map holds
        journal.note(message_id)
    assert PrintedJournal(path).noted() == list(range(3, 3 + 10_000))
    journal.clear()
    journal.close()
    assert path.read_bytes() == b""  # nothing owed: an empty file, no room kept
