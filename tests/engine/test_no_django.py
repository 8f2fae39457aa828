"""The engine is framework-free (style.md): importing it loads no Django module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHECK = (
    "import sys, portplanner.marathon; "
    "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
    "sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))"
)


def test_engine_import_loads_no_django():
    # A fresh interpreter: this test process has Django loaded already (pytest-django).
    result = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
