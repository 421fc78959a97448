"""The English catalog: complete, placeholders intact, its committed .mo compiled from the current .po, and
every template visible to ``pybabel extract`` (``make translations`` re-extracts, updates and compiles)."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "quizapp" / "translations"
ENGLISH_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
ENGLISH_MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"


@pytest.fixture(scope="module")
def check_catalog() -> ModuleType:
    """``quizapp/translations/check_catalog.py``, loaded from its file (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location("check_catalog", TRANSLATIONS / "check_catalog.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def messages(catalog: Catalog) -> dict[object, object]:
    """What a catalog translates: msgid (a tuple for a plural message) -> msgstr (a tuple of forms)."""
    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {plain(message.id): plain(message.string) for message in catalog if message.id}


def test_every_english_message_is_translated_with_its_placeholders(check_catalog: ModuleType) -> None:
    problems = check_catalog.check(ENGLISH_PO)
    assert problems == [], "\n".join(problems)


def test_the_committed_mo_is_compiled_from_the_current_po() -> None:
    """Compiling the .po now gives the same messages as the committed .mo (run ``make translations`` if not)."""
    with ENGLISH_PO.open("rb") as po_file:
        catalog = read_po(po_file, locale="en")
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    with ENGLISH_MO.open("rb") as mo_file:
        committed = read_mo(mo_file)
    expected = read_mo(fresh)
    assert committed.plural_forms == expected.plural_forms
    want, have = messages(expected), messages(committed)
    stale = sorted(str(key) for key in want.keys() | have.keys() if want.get(key) != have.get(key))
    assert not stale, f"{len(stale)} message(s) differ between messages.po and messages.mo, e.g. {stale[:5]}"


def test_pybabel_extract_sees_every_template(check_catalog: ModuleType) -> None:
    """Jinja's extractor silently skips a template it cannot parse (e.g. ``{% do %}`` without ``jinja2.ext.do``
    in babel.cfg's ``extensions``), and all of that template's strings would drop out of the catalog."""
    problems = check_catalog.template_problems(ROOT / "babel.cfg", ROOT)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(("source", "translation", "problem"), [
    ("Dòng %(line)s", "Row %(line)s", None),
    ("Dòng %(line)s", "Row %(row)s", "placeholders differ"),
    ("Còn {n} câu", "{n} left", None),
    ("Còn {n} câu", "Some left", "placeholders differ"),
    ("Tỷ lệ", "Rate (%)", "placeholders differ"),  # templates %-format every string: a stray % breaks the page
    ("Tỷ lệ %%", "Rate %%", None),
    ("Đã lưu", "", "is empty"),
])
def test_the_check_finds_what_would_break_a_page(check_catalog: ModuleType, source: str, translation: str,
                                                 problem: str | None) -> None:
    catalog = Catalog(locale="en", fuzzy=False)
    catalog.add(source, translation)
    problems = check_catalog.catalog_problems(catalog)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]


def test_the_check_finds_fuzzy_messages_and_missing_plural_forms(check_catalog: ModuleType) -> None:
    catalog = Catalog(locale="en", fuzzy=False)
    catalog.add("Lưu", "Save", flags=["fuzzy"])
    catalog.add(("%(num)d câu", "%(num)d câu"), ("%(num)d question", ""))
    problems = check_catalog.catalog_problems(catalog)
    assert any(p.startswith("fuzzy") for p in problems)
    assert any("msgstr[1] is empty" in p for p in problems)
