"""domain/ is pure Python: it imports nothing from Flask, SQLAlchemy or the rest of quizapp."""

import ast
from pathlib import Path

import quizapp.domain

FORBIDDEN = ("flask", "flask_", "sqlalchemy", "werkzeug", "wtforms")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_domain_imports_no_framework_and_no_other_quizapp_package():
    root = Path(quizapp.domain.__file__).parent
    offending = []
    for path in sorted(root.rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top.startswith(FORBIDDEN) or (top == "quizapp" and not name.startswith("quizapp.domain")):
                offending.append(f"{path.relative_to(root)}: {name}")
    assert offending == []
