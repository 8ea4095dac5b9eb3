import importlib.util
import re
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


def _tool():
    spec = importlib.util.spec_from_file_location("i18n_tool", PROJECT_ROOT / "scripts" / "i18n.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


@pytest.mark.parametrize(
    ("locale", "text", "word"),
    [
        ("de", "Bitte geben Sie Ihren Namen ein.", "Sie"),
        ("de", "Sie haben keine Bestellung.", "Sie"),  # at a sentence start too
        ("de", "Ihre Bestellung ist bestätigt.", "Ihre"),
        ("de", "Wir schreiben Ihnen bald.", "Ihnen"),
        ("nl", "Kies uw taal.", "uw"),
        ("nl", "Heeft u een vraag?", "u"),
        ("nl", "Uw bestelling is bevestigd.", "Uw"),
        ("pt", "Onde quer retirar? Ponto de retirada: {value}", "retirada"),
        ("pt", "Uma caixa de presente", "de presente"),
        ("pt", "Ligue para o celular", "celular"),
        ("pt", "Veja na tela", "tela"),
        ("pt", "O usuário não existe", "usuário"),
        ("pt", "O pedido está sendo enviado", "está sendo"),
        ("zh_Hant", "這个訂單", "个"),
        ("zh_Hant", "請輸入设定", "设"),
        ("fr", "Syntaxe : /picklist", ":"),
        ("fr", "Merci !", "!"),
        ("fr", "Montant: {amount}", ":"),
        ("fr", "« {value} »", "«"),
    ],
)
def test_style_rules_flag_what_a_native_editor_would(locale, text, word):
    found = _tool().style_problems(locale, "msgid", text)
    assert found, (locale, text)
    assert all(line.startswith(f"{locale}: ") and "'msgid'" in line for line in found)
    assert any(repr(word) in line or word in line for line in found), found


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("de", "Hat sie bis zum Bestellschluss ihr Minimum erreicht, kommt sie zustande."),
        ("de", "/orders — deine Bestellungen und ihr Status"),
        ("nl", "Kies je taal: over 9 dagen 4 uur, {unit} <u>x</u>"),
        ("pt", "🗑 Retirar do meu pedido; pronto para levantamento; está a enviar"),
        ("pt", "O presente pedido"),
        (
            "pt",
            "O grupo fica quando atinge o mínimo",
        ),  # "presente" alone is fine; only the gift sense is flagged
        ("zh_Hant", "請輸入設定；皇后；公里；只能；台北"),
        (
            "fr",
            "Syntaxe\u00a0: /picklist\u202f; Merci\u202f! Prête\u00a0? «\u00a0{value}\u00a0» 12:00",
        ),
        ("fr", "<code>2026-12-20 12:00</code>, p. ex. clé=valeur."),
        ("es", "Uso: /picklist"),  # only French puts a space there
    ],
)
def test_style_rules_leave_correct_text_alone(locale, text):
    assert _tool().style_problems(locale, "msgid", text) == []


@pytest.mark.parametrize(
    "msgid",
    [
        " · closes {deadline}",
        "closes {deadline}",
        ", and {count} more",
        "and the price drops",
        "for {product}",
        "paid in advance.",
        "Status: {status} ",
        "Delivery to {city},",
    ],
)
def test_sentence_fragments_are_flagged(msgid):
    assert _tool().fragment_reason(msgid)


@pytest.mark.parametrize(
    "msgid",
    [
        "paid",
        "shipped",
        "ready for pickup",
        "none (delivery)",
        "kg",
        "bag",
        "sea",
        "{count} unit",
        "… and {count} more lines",
        "Status: {status} · 💰 paid",
        "/help — this help",
        "<b>Your order</b>:",
    ],
)
def test_whole_labels_and_messages_are_not_fragments(msgid):
    assert _tool().fragment_reason(msgid) is None


def test_every_count_goes_through_ngettext():
    """A message with a count in it ("{count} orders confirmed") written with gettext reads
    "1 orders" in English and worse elsewhere: counts are worded by ngettext, in every module."""
    import ast

    from core.config import PROJECT_ROOT

    # a count read as a label ("Orders: {orders}", "Everyone ({n})") needs no plural form
    counted = re.compile(r"(?<!: )(?<!\()\{(count|n|total|orders|buyers|people|rows|recipients)\}")
    offenders = []
    for folder in ("bot", "handlers", "ui", "services", "notifications", "domain"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in {"_", "__", "gettext", "lazy_gettext"}
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and counted.search(node.args[0].value)
                ):
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert not offenders, offenders
