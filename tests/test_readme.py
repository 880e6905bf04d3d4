"""The README's Python examples run verbatim from the project root."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_python_examples_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert blocks
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        for code in blocks:
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(here)
    out = capsys.readouterr().out
    assert out.startswith("# Harbour town rebuilds its sea wall after winter storms\n")
    assert "Harbour town rebuilds its sea wall after winter storms ['Mara Lindqvist'] 2026-03-14 en\n" in out
