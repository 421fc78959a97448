"""Check a translation catalog before it is compiled: every message translated, none fuzzy, placeholders kept.

    python quizapp/translations/check_catalog.py [catalog.po ...]   (default: the English catalog)
    python quizapp/translations/check_catalog.py --mapping babel.cfg   (run from the repository root)

Prints one line per problem and exits 1 if there is any, 0 otherwise. Pure Python: only Babel.

``--mapping`` checks the extraction instead of a catalog: every template that the mapping file sends to the
``jinja2`` extractor must parse with the options the mapping gives it. Jinja's extractor silently skips a
template it cannot parse (for instance one using ``{% do %}`` when the mapping does not list
``jinja2.ext.do`` in ``extensions``), and every string of that template would quietly leave the catalog.

A translation must keep exactly the placeholders of its source (for a plural message, ``msgstr[0]`` those of
``msgid`` and the other forms those of ``msgid_plural``):

* ``%``-format specifiers (``%(name)s``, ``%(num)d``, ``%s``) and the escaped ``%%``. Templates format every
  ``_()`` string with ``%`` (Flask-Babel installs Jinja's new-style gettext), so a stray ``%`` in a
  translation breaks the page even when the source has no placeholder at all;
* ``{name}`` placeholders, filled in by the page's JavaScript (``data-text-*`` attributes).
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file, pathmatch
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ENGLISH = Path(__file__).resolve().parent / "en" / "LC_MESSAGES" / "messages.po"

#: a %-format specifier as Python's ``%`` operator reads it, ``%%`` included; any other ``%`` is a broken one
_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])"
    r"|%(?P<bad>.?)",
    re.DOTALL,
)
_BRACE = re.compile(r"\{(\w+)\}")


def placeholders(text: str) -> tuple[Counter[str], list[str]]:
    """The named placeholders and ``%%`` (as a multiset) and the positional ``%`` specifiers (in order)."""
    named: Counter[str] = Counter()
    positional: list[str] = []
    for match in _PERCENT.finditer(text):
        if match.group("bad") is not None:
            named[f"stray %{match.group('bad')}"] += 1
        elif match.group("conv") == "%":
            named["%%"] += 1
        elif match.group("name") is not None:
            named[f"%({match.group('name')}){match.group('conv')}"] += 1
        else:
            positional.append(f"%{match.group('conv')}")
    for name in _BRACE.findall(text):
        named[f"{{{name}}}"] += 1
    return named, positional


def _describe(found: Counter[str], positional: list[str]) -> str:
    parts = sorted(found.elements()) + positional
    return ", ".join(parts) if parts else "none"


def _translations(message: Message) -> list[tuple[str, str]]:
    """(source, translation) pairs: one for a simple message, one per plural form for a plural one."""
    if isinstance(message.id, str):
        string = message.string if isinstance(message.string, str) else ""
        return [(message.id, string or "")]
    singular, plural = message.id[0], message.id[1]
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string or "",)
    return [(singular if index == 0 else plural, string or "") for index, string in enumerate(strings)]


def message_problems(message: Message, num_plurals: int) -> list[str]:
    """What is wrong with one message, as ``reason`` strings (empty if nothing)."""
    problems: list[str] = []
    if message.fuzzy:
        problems.append("fuzzy")
    pairs = _translations(message)
    if not isinstance(message.id, str) and len(pairs) != num_plurals:
        problems.append(f"{len(pairs)} plural forms instead of {num_plurals}")
    for index, (source, translation) in enumerate(pairs):
        form = f"msgstr[{index}]" if not isinstance(message.id, str) else "msgstr"
        if not translation.strip():
            problems.append(f"{form} is empty")
            continue
        want, translated = placeholders(source), placeholders(translation)
        if want != translated:
            problems.append(f"{form} placeholders differ: source has {_describe(*want)}, "
                            f"translation has {_describe(*translated)}")
    return problems


def catalog_problems(catalog: Catalog) -> list[str]:
    """One line per problem: ``reason: msgid``."""
    lines: list[str] = []
    if catalog.fuzzy:
        lines.append("the catalog header is marked fuzzy (pybabel compile would skip the whole catalog)")
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        lines.extend(f"{reason}: {msgid!r}" for reason in message_problems(message, catalog.num_plurals))
    return lines


def check(path: Path) -> list[str]:
    with path.open("rb") as po_file:
        return catalog_problems(read_po(po_file))


def _files(root: Path) -> list[str]:
    """The files under ``root`` that ``pybabel extract`` looks at (it skips folders named ``.*`` and ``_*``)."""
    names: list[str] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(sub for sub in subfolders if not sub.startswith((".", "_")))
        relative = Path(folder).relative_to(root)
        names.extend((relative / file).as_posix() for file in sorted(files))
    return names


def template_problems(mapping: Path, root: Path = Path(".")) -> list[str]:
    """Templates that ``pybabel extract -F mapping root`` would skip because they do not parse."""
    with mapping.open(encoding="utf-8") as mapping_file:
        method_map, options_map = parse_mapping_cfg(mapping_file, str(mapping))
    lines: list[str] = []
    for name in _files(root):
        pattern, method = next(((p, m) for p, m in method_map if pathmatch(p, name)), (None, None))
        if method is None or "jinja2" not in method:
            continue
        options = {**options_map.get(pattern, {}), "silent": "false"}
        try:
            for _message in extract_from_file(method, str(root / name), options=options):
                pass
        except Exception as error:  # the extractor's TemplateSyntaxError, or whatever else stops it
            lines.append(f"{name}: {type(error).__name__}: {error} "
                         f"(pybabel extract would skip this template; see the [{method}: {pattern}] section "
                         f"of {mapping}, e.g. its 'extensions' option)")
    return lines


def main(argv: Iterable[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--mapping"]:
        problems = template_problems(Path(args[1] if len(args) > 1 else "babel.cfg"))
        for line in problems:
            print(line)
        return 1 if problems else 0
    paths = [Path(arg) for arg in args] or [ENGLISH]
    failed = False
    for path in paths:
        problems = check(path)
        for line in problems:
            print(f"{path}: {line}")
        if problems:
            failed = True
            print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
