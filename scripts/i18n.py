"""Keep the gettext catalogues in step with the code.

    python scripts/i18n.py update   # re-extract messages.pot and merge it into every locale
    python scripts/i18n.py check    # fail on untranslated, fuzzy, obsolete or missing messages
    python scripts/i18n.py compile  # write the .mo files (the bot also does this on start-up)

English is the source language: its catalogue is filled from the msgids by `update`.
"""

from __future__ import annotations

import copy
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES_DIR = ROOT / "locales"
SOURCE_DIRS = ("bot", "core", "domain", "handlers", "notifications", "services", "ui")
KEYWORDS = {
    "_": None,
    "__": None,
    "N_": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
}
SOURCE_LOCALE = "en"
WIDTH = 100


def extract() -> Catalog:
    catalog = Catalog(project="Qingtian Bridge", copyright_holder="Qingtian Bridge", fuzzy=False)
    for folder in SOURCE_DIRS:
        if not (ROOT / folder).is_dir():
            continue
        method_map = [("**.py", "python")]
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder, method_map=method_map, keywords=KEYWORDS, strip_comment_tags=True
        ):
            catalog.add(
                message,
                None,
                [(f"{folder}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def po_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"


def locales() -> list[str]:
    return sorted(p.parent.parent.name for p in LOCALES_DIR.glob("*/LC_MESSAGES/messages.po"))


def read(locale: str) -> Catalog:
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def write(catalog: Catalog, path: Path) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, no_location=True, sort_output=True, omit_header=False)
    path.write_bytes(buffer.getvalue())


def update() -> None:
    template = extract()
    write(template, LOCALES_DIR / "messages.pot")
    for locale in locales():
        catalog = read(locale)
        # a fresh template each time: Catalog.update shares the template's new Message objects
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        if locale == SOURCE_LOCALE:
            for message in catalog:
                if message.id:
                    message.string = message.id
        write(catalog, po_path(locale))
        print(f"{locale}: {len(catalog)} messages")


PLACEHOLDER = re.compile(r"\{(\w*)\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")


def shape(text: str) -> tuple[list[str], list[str]]:
    """The placeholders and HTML tags a translation must keep."""
    return sorted(PLACEHOLDER.findall(text)), sorted(TAG.findall(text))


def problems() -> list[str]:
    """Everything that makes a catalogue incomplete or out of date with the code."""
    found = []
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in extract() if m.id}
    for locale in locales():
        catalog = read(locale)
        have = set()
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            have.add(key)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                found.append(f"{locale}: fuzzy: {key!r}")
            if not all(strings):
                found.append(f"{locale}: untranslated: {key!r}")
            if len(strings) != (catalog.num_plurals if isinstance(message.id, tuple) else 1):
                found.append(f"{locale}: wrong number of plural forms: {key!r}")
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            for string in strings:
                if (
                    string
                    and shape(string)[0] != shape(ids[-1])[0]
                    and shape(string)[0] != shape(ids[0])[0]
                ):
                    found.append(f"{locale}: placeholders differ: {key!r} → {string!r}")
                if string and shape(string)[1] != shape(ids[0])[1]:
                    found.append(f"{locale}: HTML tags differ: {key!r} → {string!r}")
            for check_error in message.check(catalog):
                found.append(f"{locale}: {check_error}: {key!r}")
        for key in sorted(wanted - have):
            found.append(f"{locale}: missing (run scripts/i18n.py update): {key!r}")
        for key in sorted(have - wanted):
            found.append(f"{locale}: no longer in the code: {key!r}")
        if catalog.obsolete:
            found.append(f"{locale}: {len(catalog.obsolete)} obsolete entries")
    return found


def main() -> int:
    action = sys.argv[1] if len(sys.argv) > 1 else "check"
    if action == "update":
        update()
        return 0
    if action == "compile":
        sys.path.insert(0, str(ROOT))
        from bot.i18n import ensure_compiled

        for path in ensure_compiled(LOCALES_DIR):
            print(f"compiled {path.relative_to(ROOT)}")
        return 0
    found = problems()
    for line in found:
        print(line)
    print(f"{len(found)} problems in {len(locales())} catalogues")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
