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


# The plural rules a catalogue follows: Portuguese as in Portugal (Babel's "pt" is Brazil's,
# where 0 takes the singular), as the bot formats it (domain.geo.BABEL_LOCALES).
PLURAL_LOCALES = {"pt": "pt_PT"}


def read(locale: str) -> Catalog:
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=PLURAL_LOCALES.get(locale, locale))


def plural_problems(locale: str, catalog: Catalog) -> list[str]:
    """The catalogue's Plural-Forms header must be its language's (pt: Portugal's, where 0 is
    plural: "0 pedidos")."""
    expected = Catalog(locale=PLURAL_LOCALES.get(locale, locale)).plural_forms
    if catalog.plural_forms != expected:
        return [f"{locale}: Plural-Forms is {catalog.plural_forms!r}, expected {expected!r}"]
    return []


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


# --- Style rules -------------------------------------------------------------------------------
# What a native editor of each language asked for, as checks CI can run. Each finding names the
# locale, the rule, the offending word or character and the msgid. Placeholders and HTML tags are
# taken out of a translation before its words are checked, so `{unit}` or `<u>` never match.

# German: the interface says du. Every formal pronoun is flagged, "Sie" at the start of a sentence
# too (it would read as formal here). A legitimate use ("sie"/"they" capitalised at a sentence
# start, say) would go into DE_FORMAL_ALLOWED as msgid -> reason; none is needed today, because
# such sentences are phrased without a sentence-initial "Sie".
DE_FORMAL = re.compile(r"\b(Sie|Ihnen|Ihr|Ihre|Ihrem|Ihren|Ihrer|Ihres)\b")
DE_FORMAL_ALLOWED: dict[str, str] = {}

# Dutch: je/jouw, never u/uw.
NL_FORMAL = re.compile(r"\b(u|uw|Uw|U)\b")

# Portuguese: European Portuguese only. Words (with word boundaries) that are Brazilian-only or
# Brazilian in the sense they would have here; each with the European word to use instead.
PT_BRAZILIAN = {
    "retirada": "recolha / levantamento",
    "de presente": "de oferta",
    "para presente": "para oferta",
    "celular": "telemóvel",
    "ônibus": "autocarro",
    "trem": "comboio",
    "geladeira": "frigorífico",
    "xícara": "chávena",
    "registro": "registo",
    "contato": "contacto",
    "contatos": "contactos",
    "contatar": "contactar",
    "tela": "ecrã",
    "usuário": "utilizador",
    "usuários": "utilizadores",
    "arquivo": "ficheiro",
    "cadastro": "registo",
    "cadastrar": "registar",
    "equipe": "equipa",
    "banheiro": "casa de banho",
    "suco": "sumo",
    "sorvete": "gelado",
    "caminhão": "camião",
    "pedágio": "portagem",
    "salvar": "guardar",
    "tchau": "adeus / até logo",
    "Amsterdã": "Amesterdão",
    "Roterdã": "Roterdão",
}
PT_BRAZILIAN_RE = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(PT_BRAZILIAN, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
# The gerund progressive ("está enviando"): European Portuguese says "está a enviar".
PT_GERUND = re.compile(
    r"\b(estar|estou|está|estás|estamos|estão|estava|estavam|esteve|estiveram|"
    r"fica|ficam|vai|vão|vou|vamos|continua|continuam)\s+(?!quando\b)(\w+(?:ando|endo|indo))\b",
    re.IGNORECASE,
)

# Traditional Chinese (Taiwan): common characters that exist only in Simplified script (the
# Traditional form differs: 个/個, 这/這, 设/設 …). Characters that are also correct Traditional
# characters in some word (后 皇后, 干 干涉, 里 公里, 只, 台, 面, 几 茶几, 于 as a surname …) are
# left out, so a hit is always an error.
SIMPLIFIED_ONLY = frozenset(
    "与业东两个为乌乐习乡买亏亚产亲仅从仓们价优会伦侨储兑兰关兴内写况净凉减凑击则删别务动区华单卖厅历厨县"
    "参双发变叶号吗听启员响团国图圣场块备头学实宽对导将尔层岁币师帮并庆库应开张归当录忆态总户执报拣择换据"
    "数无旧时显暂机条来杨标样档检槛欢汇没测济浏湿满点烧热爱状猪环现电码确礼离种积称笋笔签类红约级纳线练组"
    "细终经结给络统继续维绿编网罗联脑脚脸节获营萨虾装见视览计订认让记讲论设证识词试话该详语误说请读调谢负"
    "责败账货购费贺赠车软轻较辑输边达过运还这进连选递邮钮钱铁银链错键镇长门闭问间际随页项须预频颗题额饭饼"
    "馆马验鱼鸡鸭龄龙"
)

# French: a space before : ; ! ? (and inside « ») is a non-breaking one, U+00A0 or U+202F,
# never a plain space, which a line can break at.
FR_PLAIN_SPACE = re.compile(r"(?: [:;!?»]|« )")
# … and no space at all where one belongs: `Montant: 3`, `Merci!` (a clock time such as 12:00 or
# a word glued to a digit is not punctuation and is left alone).
FR_NO_SPACE = re.compile(r"(?<=[^\s\u00a0\u202f\d])([:;!?])(?=\s|$)")

# A message assembled from fragments: translators cannot order a sentence they only see pieces
# of. A msgid is a fragment when it
#   - begins or ends with whitespace (it is glued to something), or
#   - begins with a joining mark (`·`, `,`, `;`, `:`, `—`, `–`, `)`) or ends with one that
#     expects more (`,`, `·`, `—`, `–`, `(`), or
#   - begins with a lowercase word AND that word is a connector (and, or, but, with, for, to …),
#     or the msgid holds a {placeholder}, or it ends like a sentence (. ! ? : ;).
# Standalone lowercase labels — status names ("paid", "ready for pickup"), units ("kg", "bag"),
# shipping methods ("sea"), "none (delivery)" — are whole values shown after a label such as
# "Status: {status}": no connector first, no placeholder, no sentence end, so they pass.
# An ellipsis line such as "… and {count} more lines" is a whole line too (it begins with "…").
FRAGMENT_START = ("·", ",", ";", ":", "—", "–", ")")
FRAGMENT_END = (",", "·", "—", "–", "(")
CONNECTORS = frozenset(
    "and or but nor with without for to at in on of by from then than so because if when while "
    "until unless per plus via as that which who whose where is are was were has have will".split()
)
SENTENCE_END = (".", "!", "?", ":", ";")


def plain_words(text: str) -> str:
    """The translation without its placeholders and HTML tags."""
    return TAG.sub(" ", PLACEHOLDER.sub(" ", text))


def fragment_reason(msgid: str) -> str | None:
    """Why a msgid looks like a piece of a sentence rather than a whole message (or None)."""
    if msgid != msgid.strip():
        return "begins or ends with whitespace"
    if msgid.startswith(FRAGMENT_START):
        return f"begins with {msgid[0]!r}"
    if msgid.endswith(FRAGMENT_END):
        return f"ends with {msgid[-1]!r}"
    first = re.match(r"[^\W\d_][\w'’-]*", msgid)
    if first and first.group().islower():
        word = first.group()
        if word in CONNECTORS:
            return f"begins with the connector {word!r}"
        if PLACEHOLDER.search(msgid):
            return f"begins with the lowercase word {word!r} and holds a placeholder"
        if msgid.endswith(SENTENCE_END):
            return f"begins with the lowercase word {word!r} and ends like a sentence"
    return None


def style_problems(locale: str, key: str, string: str) -> list[str]:
    """The language rules above, for one translation of the msgid `key`."""
    found = []
    words = plain_words(string)
    if locale == "de" and key not in DE_FORMAL_ALLOWED:
        for match in DE_FORMAL.finditer(words):
            found.append(
                f"{locale}: formal pronoun {match.group()!r} (the interface says du): {key!r}"
            )
    if locale == "nl":
        for match in NL_FORMAL.finditer(words):
            found.append(f"{locale}: formal pronoun {match.group()!r} (use je/jouw): {key!r}")
    if locale == "pt":
        for match in PT_BRAZILIAN_RE.finditer(words):
            word = match.group()
            better = next(v for k, v in PT_BRAZILIAN.items() if k.lower() == word.lower())
            found.append(f"{locale}: Brazilian {word!r} (European: {better}): {key!r}")
        for match in PT_GERUND.finditer(words):
            found.append(
                f"{locale}: gerund progressive {match.group()!r} (European: estar a + infinitive): "
                f"{key!r}"
            )
    if locale == "zh_Hant":
        for char in sorted({c for c in words if c in SIMPLIFIED_ONLY}):
            found.append(f"{locale}: simplified-only character {char!r}: {key!r}")
    if locale == "fr":
        for match in FR_PLAIN_SPACE.finditer(string):
            mark = match.group().strip()
            found.append(
                f"{locale}: plain space at {mark!r} (use U+00A0 or U+202F): {key!r} → {string!r}"
            )
        for match in FR_NO_SPACE.finditer(TAG.sub("", string)):
            found.append(
                f"{locale}: no space before {match.group()!r} (use U+00A0 or U+202F): {key!r}"
            )
    return found


def problems() -> list[str]:
    """Everything that makes a catalogue incomplete or out of date with the code."""
    found = []
    template = extract()
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    for message in template:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            reason = fragment_reason(msgid)
            if reason:
                where = ", ".join(f"{path}:{line}" for path, line in message.locations)
                found.append(
                    f"{SOURCE_LOCALE} (source): a sentence fragment ({reason}; translate whole "
                    f"sentences, not pieces): {msgid!r} at {where}"
                )
    for locale in locales():
        catalog = read(locale)
        found += plural_problems(locale, catalog)
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
                if string:
                    found += style_problems(locale, key, string)
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
