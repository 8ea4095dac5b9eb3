"""What a broadcast looks like: the message as its recipients read it (the header in their
language over the admin's own text), the /broadcast dialog's screens, the admin's live progress
message and final report, and /broadcasts."""

from __future__ import annotations

import html
import math
import re
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n import ngettext
from babel.dates import format_datetime, format_timedelta, get_timezone
from babel.numbers import format_decimal, format_percent

from core.locales import LANGUAGE_FLAGS, LANGUAGE_NAMES
from domain import geo
from domain.pricing import progress_bar
from domain.text import N_
from models import BroadcastStatus
from services.broadcast import (
    Audience,
    BroadcastError,
    Listed,
    Option,
    Progress,
    Segment,
    SegmentKind,
)
from ui.callbacks import Count, Id, MenuAction, MenuCb, NoopCb
from ui.context import RenderContext, current
from ui.render import button, fit, q, tr

ADMIN_COMMANDS = (
    ("broadcast", __("Send a message to a segment of users (admin)")),
    ("broadcasts", __("Latest broadcasts and their progress (admin)")),
)

PAGE_SIZE = 10  # languages, countries or cities per page of the segment step
BAR_WIDTH = 10
SNIPPET = 60  # characters of a broadcast's text in /broadcasts

STATUS_NAMES = {
    BroadcastStatus.SENDING: N_("sending"),
    BroadcastStatus.STOPPED: N_("stopped"),
    BroadcastStatus.DONE: N_("sent"),
}
STATUS_ICONS = {
    BroadcastStatus.SENDING: "⏳",
    BroadcastStatus.STOPPED: "⏹",
    BroadcastStatus.DONE: "✅",
}


class BroadcastAction(StrEnum):
    SEGMENT = "s"  # k: a segment kind (chosen at once, or its list of values opens)
    PICK = "p"  # i: the value at that place in the list on screen (kept in the dialog's state)
    PAGE = "g"  # i: a page of that list
    BACK = "b"  # back to the kinds
    STOP = "x"  # id: stop that broadcast


class BroadcastCb(CallbackData, prefix="bc"):
    a: BroadcastAction
    k: SegmentKind = SegmentKind.ALL
    i: Count = 0
    id: Id = 0


def number(value: int, locale: str) -> str:
    return format_decimal(value, locale=geo.babel_locale(locale))


# ── what recipients read ─────────────────────────────────────────────────────────────────


def header() -> str:
    """Above every broadcast, in the recipient's language: who is writing."""
    return _("📢 <b>Qingtian Bridge</b>")


def recipient_text(body: str) -> str:
    """The broadcast as a recipient reads it (HTML): the header, then the admin's own text as
    they wrote it (formatting kept, anything typed as HTML escaped), not translated."""
    return f"{header()}\n\n{body}" if body else header()


def plain_length(body_plain: str) -> int:
    """How long `recipient_text` is once Telegram parsed its entities (its limits count
    that): the header's words and the admin's plain text."""
    head = html.unescape(re.sub(r"<[^>]*>", "", header()))
    return len(head) + (2 + len(body_plain) if body_plain else 0)


# ── the dialog ───────────────────────────────────────────────────────────────────────────


def language_label(locale: str) -> str:
    return f"{LANGUAGE_FLAGS.get(locale, '🏳')} {LANGUAGE_NAMES.get(locale, locale)}"


def flag(country: str) -> str:
    """🇮🇹 for IT (regional indicator letters)."""
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        return "🏳"
    return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in country.upper())


def segment_label(segment: Segment, locale: str) -> str:
    """Whom a broadcast goes to, in words (plain text: escape it in HTML)."""
    kind = segment.kind
    if kind == SegmentKind.LANGUAGE:
        return _("Everyone reading {language}").format(language=language_label(segment.value))
    if kind == SegmentKind.COUNTRY:
        return _("Everyone in {country}").format(country=geo.country_name(segment.value, locale))
    if kind == SegmentKind.CITY:
        return _("Everyone in {city}, {country}").format(
            city=tr(segment.city), country=geo.country_name(segment.value, locale)
        )
    if kind == SegmentKind.BUYERS:
        return _("Buyers with open orders")
    if kind == SegmentKind.AGENTS:
        return _("Agents")
    return _("Everyone")


def _cancel() -> InlineKeyboardButton:
    return button(_("✖ Cancel"), MenuCb(action=MenuAction.CANCEL).pack())


def segment_menu(counts: dict[SegmentKind, int]) -> tuple[str, InlineKeyboardMarkup]:
    """Step 1: who gets it."""
    locale = current().locale

    def kind(label: str, k: SegmentKind) -> InlineKeyboardButton:
        return button(label, BroadcastCb(a=BroadcastAction.SEGMENT, k=k).pack())

    text = "\n".join(
        [
            _("📢 <b>New broadcast</b>"),
            _(
                "Step 1 of 3. Who should get it? People who blocked the bot or are suspended "
                "are always left out."
            ),
        ]
    )
    rows = [
        [kind(_("👥 Everyone ({n})").format(n=number(counts.get(SegmentKind.ALL, 0), locale)),
              SegmentKind.ALL)],
        [kind(_("🗣 A language…"), SegmentKind.LANGUAGE),
         kind(_("🌍 A country…"), SegmentKind.COUNTRY),
         kind(_("🏙 A city…"), SegmentKind.CITY)],
        [kind(_("🛒 Buyers with open orders ({n})").format(
            n=number(counts.get(SegmentKind.BUYERS, 0), locale)), SegmentKind.BUYERS)],
        [kind(_("🧑‍💼 Agents ({n})").format(n=number(counts.get(SegmentKind.AGENTS, 0), locale)),
              SegmentKind.AGENTS)],
        [_cancel()],
    ]  # fmt: skip
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def option_label(kind: SegmentKind, option: Option, locale: str) -> str:
    n = number(option.count, locale)
    if kind == SegmentKind.LANGUAGE:
        return f"{language_label(option.value)} ({n})"
    if kind == SegmentKind.COUNTRY:
        return f"{flag(option.value)} {geo.country_name(option.value, locale)} ({n})"
    return f"{flag(option.value)} {tr(option.city)} ({n})"[:64]


def pages(total: int) -> int:
    return max(1, math.ceil(total / PAGE_SIZE))


def options_view(
    kind: SegmentKind, found: list[Option], more: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """Step 1, a language, country or city: the values recipients have, the largest first."""
    locale = current().locale
    question = {
        SegmentKind.LANGUAGE: _("Step 1 of 3. Which language? (The one people chose in the bot.)"),
        SegmentKind.COUNTRY: _("Step 1 of 3. Which country?"),
        SegmentKind.CITY: _("Step 1 of 3. Which city?"),
    }[kind]
    lines = [_("📢 <b>New broadcast</b>"), question]
    if not found:
        lines.append(_("Nobody who can receive messages has given one yet."))
    if more:
        lines.append(
            ngettext(
                "The {n} smallest one is not listed.", "The {n} smallest ones are not listed.", more
            ).format(n=number(more, locale))
        )
    count = pages(len(found))
    page = min(max(0, page), count - 1)
    start = page * PAGE_SIZE
    rows: list[list[InlineKeyboardButton]] = []
    shown = [
        button(option_label(kind, option, locale), BroadcastCb(a=BroadcastAction.PICK, k=kind,
               i=start + index).pack())
        for index, option in enumerate(found[start : start + PAGE_SIZE])
    ]  # fmt: skip
    rows += [shown[i : i + 2] for i in range(0, len(shown), 2)]
    if count > 1:
        nav = []
        if page > 0:
            nav.append(button("◀️", BroadcastCb(a=BroadcastAction.PAGE, k=kind, i=page - 1).pack()))
        nav.append(button(f"{page + 1}/{count}", NoopCb().pack()))
        if page + 1 < count:
            nav.append(button("▶️", BroadcastCb(a=BroadcastAction.PAGE, k=kind, i=page + 1).pack()))
        rows.append(nav)
    rows.append([button(_("⬅ Back"), BroadcastCb(a=BroadcastAction.BACK).pack()), _cancel()])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def nobody_text() -> str:
    return _("Nobody in this segment can receive messages now. Choose another one.")


def ask_message_view(segment: Segment, total: int) -> tuple[str, InlineKeyboardMarkup]:
    """Step 2: the message."""
    locale = current().locale
    lines = [
        _("📢 <b>New broadcast</b>"),
        ngettext(
            "Recipients: {segment} — {n} person.", "Recipients: {segment} — {n} people.", total
        ).format(segment=q(segment_label(segment, locale)), n=number(total, locale)),
        "",
        _(
            "Step 2 of 3. Send the message: a text, or a photo with a caption. Bold, italics, "
            "links and the like are kept as you write them. It goes out under the header "
            "“{header}”, in each reader's language; your words are not translated."
        ).format(header=header()),
    ]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[[_cancel()]])


def cancel_only() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[_cancel()]])


def unsupported_text() -> str:
    return _(
        "Only a text, or a photo with a caption, can be broadcast (not stickers, files, voice "
        "messages or videos). Send one, or press Cancel."
    )


def refused_text(reason: str) -> str:
    """A preview Telegram refused (it would refuse every copy): say why, stay in the step."""
    return _("Telegram refused this message ({reason}). Change it and send it again.").format(
        reason=q(reason[:200])
    )


def error_text(error: BroadcastError) -> str:
    details = error.details
    if error.code == "empty":
        return _("The message is empty. Send a text, or a photo with a caption.")
    if error.code == "too_long":
        over, limit = int(str(details.get("over", 0))), int(str(details.get("limit", 0)))
        locale = current().locale
        if details.get("photo"):
            words = ngettext(
                "The caption is {over} character too long: with the header, a caption holds "
                "{limit} characters. Shorten it and send the photo again.",
                "The caption is {over} characters too long: with the header, a caption holds "
                "{limit} characters. Shorten it and send the photo again.",
                over,
            )
        else:
            words = ngettext(
                "The message is {over} character too long: with the header, a message holds "
                "{limit} characters. Shorten it and send it again.",
                "The message is {over} characters too long: with the header, a message holds "
                "{limit} characters. Shorten it and send it again.",
                over,
            )
        return words.format(over=number(over, locale), limit=number(limit, locale))
    if error.code == "nobody":
        return _("Nobody in this segment can receive messages now. Nothing was sent.")
    if error.code == "not_found":
        return _("There is no such broadcast.")
    if error.code == "not_sending":
        status = str(details.get("status", ""))
        name = STATUS_NAMES.get(BroadcastStatus(status)) if status in set(BroadcastStatus) else None
        return _("This broadcast is no longer sending ({status}).").format(
            status=_(name) if name else status
        )
    if error.code == "already_sent":
        return _("It has already gone out to everyone: there is nothing left to stop.")
    return _("This button is out of date. Please open the menu again with /start.")


def preview_markup(locale: str, readers: int) -> InlineKeyboardMarkup:
    """Under a preview (readers do not get this button): whose view it is."""
    n = number(readers, current().locale)
    label = ngettext(
        "👁 {language}: {n} reader sees this",
        "👁 {language}: {n} readers see this",
        readers,
    ).format(language=language_label(locale), n=n)
    return InlineKeyboardMarkup(inline_keyboard=[[button(label, NoopCb().pack())]])


def confirm_text(segment: Segment, found: Audience) -> str:
    """Step 3: the previews above; send?"""
    locale = current().locale
    lines = [
        _("📢 <b>New broadcast</b>"),
        ngettext(
            "Step 3 of 3. Above is exactly what its reader gets, in their language. "
            "Recipients: {segment} — {n} person. Send it?",
            "Step 3 of 3. Above is exactly what its readers get, one preview per language. "
            "Recipients: {segment} — {n} people. Send it?",
            found.total,
        ).format(segment=q(segment_label(segment, locale)), n=number(found.total, locale)),
        _("It can be stopped while it goes out, but not taken back."),
    ]
    return "\n".join(lines)


def yes_label(total: int) -> str:
    return ngettext("📢 Send to {n} person", "📢 Send to {n} people", total).format(
        n=number(total, current().locale)
    )


def stopped_text(skipped: int) -> str:
    """The Stop button's answer."""
    return ngettext(
        "⏹ Stopped: {n} message will not be sent.",
        "⏹ Stopped: {n} messages will not be sent.",
        skipped,
    ).format(n=number(skipped, current().locale))


# ── progress and the report ──────────────────────────────────────────────────────────────


def _percent(done: int, total: int, locale: str) -> str:
    share = 1.0 if total <= 0 else math.floor(done * 100 / total) / 100  # 99.9 % is not 100 %
    return format_percent(share, locale=geo.babel_locale(locale))


def progress_line(progress: Progress, ctx: RenderContext) -> str:
    """`▓▓▓▓░░░░░░ 41% · 12,345 / 30,000 · 2 blocked · ETA 9 min` (plain text)."""
    locale = ctx.locale
    counts, total = progress.counts, progress.total
    done = counts.done
    parts = [
        f"{progress_bar(done, total, BAR_WIDTH)} {_percent(done, total, locale)}",
        f"{number(done, locale)} / {number(total, locale)}",
    ]
    if counts.blocked:
        parts.append(
            ngettext("{n} blocked", "{n} blocked", counts.blocked).format(
                n=number(counts.blocked, locale)
            )
        )
    if counts.failed:
        parts.append(
            ngettext("{n} failed", "{n} failed", counts.failed).format(
                n=number(counts.failed, locale)
            )
        )
    eta = progress.eta
    if eta is not None:
        parts.append(
            _("ETA {time}").format(
                time=format_timedelta(eta, format="short", locale=geo.babel_locale(locale))
            )
        )
    return " · ".join(parts)


def progress_text(progress: Progress, ctx: RenderContext) -> str:
    """The admin's progress message (HTML), edited as it goes."""
    lines = [
        _("📢 <b>Broadcast #{id}</b> · {segment}").format(
            id=progress.broadcast_id, segment=q(segment_label(progress.segment, ctx.locale))
        ),
        q(progress_line(progress, ctx)),
    ]
    if progress.final:
        lines.append(
            _("⏹ Stopped.") if progress.status == BroadcastStatus.STOPPED else _("✅ Done.")
        )
    elif progress.status == BroadcastStatus.STOPPED:
        lines.append(
            ngettext(
                "⏹ Stopped. {n} message was already with the sender: the report follows once "
                "it is done.",
                "⏹ Stopped. {n} messages were already with the sender: the report follows once "
                "they are done.",
                progress.counts.pending,
            ).format(n=number(progress.counts.pending, ctx.locale))
        )
    return "\n".join(lines)


def progress_markup(progress: Progress) -> InlineKeyboardMarkup | None:
    if progress.final or progress.status != BroadcastStatus.SENDING:
        return None
    stop = BroadcastCb(a=BroadcastAction.STOP, id=progress.broadcast_id).pack()
    return InlineKeyboardMarkup(inline_keyboard=[[button(_("⏹ Stop"), stop)]])


def report_text(progress: Progress, ctx: RenderContext) -> str:
    """The final report: sent, blocked, failed, not sent because stopped, and how long it took."""
    locale = ctx.locale
    counts = progress.counts
    segment = q(segment_label(progress.segment, locale))
    if progress.status == BroadcastStatus.STOPPED:
        title = _("⏹ <b>Broadcast #{id} stopped</b> · {segment}")
    else:
        title = _("✅ <b>Broadcast #{id} sent</b> · {segment}")
    lines = [
        title.format(id=progress.broadcast_id, segment=segment),
        ngettext("📨 Delivered to {n} person", "📨 Delivered to {n} people", counts.sent).format(
            n=number(counts.sent, locale)
        ),
    ]
    if counts.blocked:
        lines.append(
            ngettext(
                "🚫 {n} person has blocked the bot", "🚫 {n} people have blocked the bot",
                counts.blocked,
            ).format(n=number(counts.blocked, locale))
        )  # fmt: skip
    if counts.failed:
        lines.append(
            ngettext("⚠️ {n} message failed", "⚠️ {n} messages failed", counts.failed).format(
                n=number(counts.failed, locale)
            )
        )
    if counts.stopped:
        lines.append(
            ngettext(
                "⏹ {n} message was not sent (stopped)", "⏹ {n} messages were not sent (stopped)",
                counts.stopped,
            ).format(n=number(counts.stopped, locale))
        )  # fmt: skip
    took = format_timedelta(progress.elapsed, format="long", locale=geo.babel_locale(locale))
    lines.append(_("⏱ It took {time}.").format(time=took))
    return "\n".join(lines)


# ── /broadcasts ──────────────────────────────────────────────────────────────────────────


def snippet(body: str, limit: int = SNIPPET) -> str:
    """The start of a broadcast's text as plain words (its tags removed)."""
    plain = " ".join(html.unescape(re.sub(r"<[^>]*>", "", body)).split())
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"


def list_view(listed: list[Listed], ctx: RenderContext) -> tuple[str, InlineKeyboardMarkup | None]:
    if not listed:
        return _("No broadcast yet. Start one with /broadcast."), None
    locale = ctx.locale
    loc = geo.babel_locale(locale)
    zone = get_timezone(ctx.timezone or "UTC")
    lines = [_("📢 <b>Latest broadcasts</b>")]
    stops: list[InlineKeyboardButton] = []
    for entry in listed:
        b = entry.broadcast
        status = BroadcastStatus(b.status) if b.status in set(BroadcastStatus) else None
        name = _(STATUS_NAMES[status]) if status else b.status
        when = format_datetime(b.created_at, "short", tzinfo=zone, locale=loc)
        lines.append(
            f"<b>#{b.id}</b> {STATUS_ICONS.get(status, '•') if status else '•'} {q(name)} · "
            f"{q(when)} · {q(segment_label(entry.segment, locale))}"
        )
        sent = ngettext("{sent} of {n} delivered", "{sent} of {n} delivered", b.total).format(
            sent=number(entry.counts.sent, locale), n=number(b.total, locale)
        )
        words = snippet(b.text)
        lines.append(
            f"   {'🖼 ' if b.photo else ''}{q(sent)}" + (f" · “{q(words)}”" if words else "")
        )
        if status == BroadcastStatus.SENDING:
            stops.append(
                button(
                    _("⏹ Stop #{id}").format(id=b.id),
                    BroadcastCb(a=BroadcastAction.STOP, id=b.id or 0).pack(),
                )
            )
    markup = InlineKeyboardMarkup(inline_keyboard=[[s] for s in stops]) if stops else None
    return fit(lines), markup
