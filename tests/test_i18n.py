import importlib.util
import subprocess
import sys

import pytest

from core.config import PROJECT_ROOT
from core.locales import LOCALES, locale_from_language_code


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("it", "it"),
        ("it-IT", "it"),
        ("IT_it", "it"),
        ("zh-hans", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("zh-TW", "zh_Hant"),
        ("zh-HK", "zh_Hant"),
        ("zh-hant", "zh_Hant"),
        ("zh-Hant-TW", "zh_Hant"),
        ("pt-br", "pt"),
        ("nl-BE", "nl"),
        ("de", "de"),
        ("ru", "en"),
        ("", "en"),
        (None, "en"),
        ("-", "en"),
    ],
)
def test_telegram_language_code_maps_to_a_locale(code, expected):
    locale = locale_from_language_code(code)
    assert locale == expected


def test_every_locale_has_a_catalogue():
    missing = [
        locale
        for locale in LOCALES
        if not (PROJECT_ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").exists()
    ]
    assert missing == []


def test_catalogues_are_complete_and_up_to_date():
    """Fails on any untranslated, fuzzy or obsolete entry, on a .po out of date with the code,
    and on a translation that lost a {placeholder} or an HTML tag."""
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "i18n.py"), "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_translations_are_not_copies_of_english(i18n):
    """A real translation differs from the English for most messages."""
    spec = importlib.util.spec_from_file_location("i18n_tool", PROJECT_ROOT / "scripts" / "i18n.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    read = tool.read

    english = {m.id: m.string for m in read("en") if m.id}
    for locale in LOCALES:
        if locale == "en":
            continue
        catalog = read(locale)
        same = [m.id for m in catalog if m.id and m.string == english.get(m.id)]
        assert len(same) < len(english) * 0.25, (locale, same[:10])
