"""The layers keep to their roles (STYLE.md): one commit in the whole package, and nothing below the views
(services, the command line, messages, the domain) imports a view."""

from __future__ import annotations

import re
from pathlib import Path

import quizapp
from tests.domain.test_purity import _imports

ROOT = Path(quizapp.__file__).parent


def test_the_transaction_is_committed_in_one_place():
    commits = [str(path.relative_to(ROOT)) for path in sorted(ROOT.rglob("*.py"))
               for line in path.read_text(encoding="utf-8").splitlines() if re.search(r"\.commit\(\)", line)]
    assert commits == ["transactions.py"]


def test_nothing_below_the_views_imports_a_view():
    below = [*(ROOT / "cli").rglob("*.py"), *(ROOT / "services").rglob("*.py"), *(ROOT / "messages").rglob("*.py"),
             *(ROOT / "domain").rglob("*.py"), ROOT / "transactions.py", ROOT / "middleware.py"]
    offending = [f"{path.relative_to(ROOT)}: {name}" for path in below for name in _imports(path)
                 if name.startswith("quizapp.views")]
    assert offending == []
