"""The ± quantity picker of one product of a group order."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from domain import pricing
from domain.catalog import UNITS, localized
from domain.groups import MAX_QUANTITY
from models import GroupOrder, User
from services.groups import PickerScreen
from ui.callbacks import GroupCb, NoopCb, QtyAction, QtyCb
from ui.context import current
from ui.errors import full_text
from ui.groups import price_for
from ui.render import button, q

STEPS = (-10, -1, 1, 10)

DISABLED = "·"  # a button that does nothing here keeps its place, so nothing moves under a finger


@dataclass(frozen=True)
class Picker:
    """What the ± picker of one product shows: the quantity in the order now and the most that
    fits (the group's capacity left, plus what this line already holds)."""

    have: int
    most: int

    @property
    def full(self) -> bool:
        return self.most <= self.have and self.most < MAX_QUANTITY

    def step(self, shown: int, step: int) -> int | None:
        """Where a ± button goes from `shown`, or None (disabled). ±10 stop at the limits."""
        low = 0 if self.have else 1
        target = min(max(shown + step, low), self.most, MAX_QUANTITY)
        return None if target == shown or target < low else target


def picker_limits(group: GroupOrder, product, have: int) -> Picker:  # noqa: ANN001
    unit = pricing.contribution(1, product.unit_weight_g, group.measure) or 1
    room = pricing.remaining_capacity(group.total, group.capacity)
    most = MAX_QUANTITY if room is None else min(MAX_QUANTITY, room // unit + have)
    return Picker(have=have, most=most)


def picker_view(
    screen: PickerScreen, user: User, data: QtyCb
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The ± picker at the quantity `data.n`, or None if that is out of range. Every button
    keeps its place whatever the quantity; one that can't act shows `·`."""
    if not 0 <= data.n <= MAX_QUANTITY:
        return None
    locale = current().locale
    group, offer, product, rate, have = (
        screen.group,
        screen.offer,
        screen.product,
        screen.rate,
        screen.have,
    )
    tier = pricing.tier_index(group.tiers, group.total)
    limits = picker_limits(group, product, have)
    lines = [
        f"<b>{q(localized(product.names, locale))}</b>",
        _("{price} per {unit} at the group's current tier").format(
            price=q(price_for(offer.prices[tier], user, rate, locale)),
            unit=q(_(UNITS.get(product.unit, product.unit))),
        ),
        _("In your order now: {quantity}").format(quantity=have),
    ]
    if limits.full:
        lines.append(full_text())
    elif limits.most < MAX_QUANTITY:
        lines.append(
            ngettext(
                "At most {count} fits in the group.", "At most {count} fit in the group.",
                limits.most,
            ).format(count=limits.most)
        )  # fmt: skip
    lines += ["", _("Choose how many with − and +, or type a number, then confirm.")]
    noop = NoopCb().pack()
    steps = []
    for step in STEPS:
        target = limits.step(data.n, step)
        steps.append(
            button(f"{step:+d}", QtyCb(g=data.g, o=data.o, n=target).pack())
            if target is not None
            else button(DISABLED, noop)
        )
    if data.n == 0 and have:
        confirm = button(
            _("🗑 Remove from my order"), QtyCb(g=data.g, o=data.o, n=0, a=QtyAction.CONFIRM).pack()
        )
    elif 0 < data.n <= limits.most and not (limits.full and data.n > have):
        confirm = button(
            _("✅ Confirm {quantity}").format(quantity=data.n),
            QtyCb(g=data.g, o=data.o, n=data.n, a=QtyAction.CONFIRM).pack(),
        )
    else:
        confirm = button(DISABLED, noop)
    typing = (
        button(_("⌨️ Type a number"), QtyCb(g=data.g, o=data.o, n=data.n, a=QtyAction.TYPE).pack())
        if not (limits.full and have == 0)
        else button(DISABLED, noop)
    )
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            steps,
            [confirm],
            [typing],
            [button(_("⬅ Back to the group"), GroupCb(id=data.g).pack())],
        ]
    )
    return "\n".join(lines), markup
