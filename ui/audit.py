"""/audit: the latest admin actions, newest first — when (in the reader's time zone), who, what,
on which object, and what changed — with an "Older ›" button that carries the filters."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from pydantic import Field

from models import AuditEntry, User
from services.people import MAX_USER_ID
from ui.callbacks import Id
from ui.context import RenderContext
from ui.people import when_text
from ui.render import TEXT_LIMIT, button, q

OBJECT_TYPE = re.compile(r"[a-z][a-z_]{0,15}")
OBJECT_ID = re.compile(r"[^\s]{1,64}")
VALUE_CHARS = 40  # of one value in a diff
DIFF_FIELDS = 4  # fields shown per entry; the rest are counted
BUDGET = TEXT_LIMIT - 300  # the message, leaving room for the header and the note


class AuditCb(CallbackData, prefix="au"):
    """The next page: entries older than `b`, by admin `a` (0: anyone), on objects of type `t`
    ("": any); with `o`, on the very object entry `b` is about (its id is read from there, so
    the button stays short whatever the object id)."""

    b: Id
    a: Annotated[int, Field(ge=0, le=MAX_USER_ID)] = 0
    t: str = ""
    o: bool = False


@dataclass(frozen=True)
class AuditQuery:
    """The filters as the reader gave them, resolved: the admin's id and row, the object."""

    admin_id: int | None = None
    admin: User | None = None
    object_type: str | None = None
    object_id: str | None = None


def usage_text() -> str:
    return _(
        "Usage: /audit [ADMIN] [TYPE[:ID]]\n"
        "ADMIN is a Telegram id or @username; TYPE an object type (user, group, product, "
        "rate, export…), with an id for one object, e.g.\n"
        "<code>/audit @giulia</code> · <code>/audit user:5001</code> · "
        "<code>/audit 900 rate:EUR</code>"
    )


def _value(value: Any) -> str:
    if value is None:
        text = "∅"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        text = str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


_MISSING = object()


def _flat(values: dict[str, Any]) -> dict[str, Any]:
    """One level of nesting spelled out (`names.de`), so a change inside a dict shows as what
    changed, not as two long JSON texts that look alike."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if (
            isinstance(value, dict)
            and value
            and all(not isinstance(v, dict) for v in value.values())
        ):
            for sub, item in value.items():
                flat[f"{key}.{sub}"] = item
        else:
            flat[key] = value
    return flat


def _when(value: Any, ctx: RenderContext | None) -> Any:
    """An ISO timestamp as the admin reads times: in their zone."""
    if ctx is None or not isinstance(value, str) or len(value) < 19 or value[10:11] != "T":
        return value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return when_text(moment, ctx) if moment.tzinfo else value


def diff_text(
    before: dict[str, Any] | None, after: dict[str, Any] | None,
    ctx: RenderContext | None = None,
) -> str:  # fmt: skip
    """`price: 38 → 35; stock: ∅ → 12` — only the fields that changed (inside a dict too:
    `names.de`), each value cut short, times in the admin's zone, escaped; a created object
    lists what it was created with, a deleted one what it had."""
    if before is None and after is None:
        return ""
    old = {k: _when(v, ctx) for k, v in _flat(before or {}).items()}
    new = {k: _when(v, ctx) for k, v in _flat(after or {}).items()}
    parts = []
    for key in dict.fromkeys([*old, *new]):
        was, now = old.get(key, _MISSING), new.get(key, _MISSING)
        if was == now:
            continue
        if before is None:
            parts.append(f"{key}: {_value(now)}")
        elif after is None or now is _MISSING:
            parts.append(f"{key}: {_value(was)} → ∅")
        elif was is _MISSING:
            parts.append(f"{key}: ∅ → {_value(now)}")
        else:
            parts.append(f"{key}: {_value(was)} → {_value(now)}")
    shown = [q(part) for part in parts[:DIFF_FIELDS]]
    if len(parts) > DIFF_FIELDS:
        rest = len(parts) - DIFF_FIELDS
        shown.append(
            ngettext("…and {count} more field", "…and {count} more fields", rest).format(count=rest)
        )
    if not shown:
        return ""
    prefix = "＋ " if before is None else ("－ " if after is None else "")
    return prefix + "; ".join(shown)


def _who(admin_id: int, people: dict[int, User]) -> str:
    user = people.get(admin_id)
    name = q(user.first_name) if user and user.first_name else ""
    return f"{name} (<code>{admin_id}</code>)" if name else f"<code>{admin_id}</code>"


def _object(entry: AuditEntry, people: dict[int, User]) -> str:
    label = q(entry.object_type) + (f":{q(entry.object_id)}" if entry.object_id else "")
    text = f"<code>{label}</code>"
    if entry.object_type == "user" and entry.object_id.isdigit():
        user = people.get(int(entry.object_id)) if len(entry.object_id) < 20 else None
        if user is not None and user.first_name:
            text += f" ({q(user.first_name)})"
    return text


def entry_text(entry: AuditEntry, people: dict[int, User], ctx: RenderContext) -> str:
    lines = [
        f"<b>#{entry.id}</b> · {q(when_text(entry.at, ctx))} · {_who(entry.admin_id, people)}",
        f"<code>{q(entry.action)}</code> · {_object(entry, people)}",
    ]
    diff = diff_text(entry.before, entry.after, ctx)
    if diff:
        lines.append(f"   {diff}")
    return "\n".join(lines)


def filters_text(query: AuditQuery) -> str | None:
    parts = []
    if query.admin_id is not None:
        parts.append(
            _("Admin: {admin}").format(
                admin=_who(query.admin_id, {query.admin.id: query.admin} if query.admin else {})
            )
        )
    if query.object_type is not None:
        label = query.object_type + (f":{query.object_id}" if query.object_id else "")
        parts.append(_("Object: {object}").format(object=f"<code>{q(label)}</code>"))
    return " · ".join(parts) if parts else None


def audit_view(
    entries: list[AuditEntry], *, more: bool, query: AuditQuery, people: dict[int, User],
    older: bool, ctx: RenderContext,
) -> tuple[str, InlineKeyboardMarkup | None]:  # fmt: skip
    """A page of entries, newest first (`more`: there are older ones than these; `older`: this
    is not the first page). Entries that would not fit one message wait for the next page."""
    head = [_("📜 <b>Audit log</b>") + (" · " + _("older entries") if older else "")]
    described = filters_text(query)
    if described:
        head.append(described)
    if not entries:
        head.append("")
        head.append(
            _("No older entries.")
            if older
            else (_("No entries match.") if described else _("Nothing has been recorded yet."))
        )
        return "\n".join(head), None
    blocks: list[str] = []
    size = sum(len(line) + 1 for line in head)
    shown: list[AuditEntry] = []
    for entry in entries:
        block = entry_text(entry, people, ctx)
        if shown and size + len(block) + 2 > BUDGET:
            more = True
            break
        blocks.append(block)
        shown.append(entry)
        size += len(block) + 2
    text = "\n".join(head) + "\n\n" + "\n\n".join(blocks)
    if not more:
        return text, None
    last = shown[-1]
    older_cb = AuditCb(
        b=last.id or 0,
        a=query.admin_id or 0,
        t=query.object_type or "",
        o=query.object_id is not None,
    )
    markup = InlineKeyboardMarkup(inline_keyboard=[[button(_("Older ›"), older_cb.pack())]])
    return text, markup
