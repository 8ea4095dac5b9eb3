"""Inline keyboards built as plain rows.

aiogram's `Keyboard` deep-copies the whole keyboard on every `button()` and again in
`as_markup()`: a product list of a dozen buttons costs thousands of copies per screen. `Keyboard`
has the same methods the screens use (`button`, `row`, `adjust`, `as_markup`) with the same
layout rules (at most 8 buttons a row; `adjust` lays out every button added so far), on lists."""

from __future__ import annotations

from itertools import chain, cycle, repeat
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

MAX_WIDTH = 8  # Telegram's limit, and aiogram's builder's


class Keyboard:
    def __init__(self) -> None:
        self._rows: list[list[InlineKeyboardButton]] = []

    def button(self, **kwargs: Any) -> Keyboard:
        """A button after the last ones (on the last row while it has room)."""
        if isinstance(data := kwargs.get("callback_data"), CallbackData):
            kwargs["callback_data"] = data.pack()
        return self.add(InlineKeyboardButton(**kwargs))

    def add(self, *buttons: InlineKeyboardButton) -> Keyboard:
        rest = list(buttons)
        if self._rows and len(self._rows[-1]) < MAX_WIDTH:
            room = MAX_WIDTH - len(self._rows[-1])
            self._rows[-1].extend(rest[:room])
            rest = rest[room:]
        while rest:
            self._rows.append(rest[:MAX_WIDTH])
            rest = rest[MAX_WIDTH:]
        return self

    def row(self, *buttons: InlineKeyboardButton, width: int = MAX_WIDTH) -> Keyboard:
        """A new row of these buttons (several, if more than `width`)."""
        self._rows.extend(list(buttons[i : i + width]) for i in range(0, len(buttons), width))
        return self

    def adjust(self, *sizes: int, repeat_sizes: bool = False) -> Keyboard:
        """Every button so far, in rows of these sizes (the last size for the rest)."""
        sizes = sizes or (MAX_WIDTH,)
        widths = cycle(sizes) if repeat_sizes else chain(sizes[:-1], repeat(sizes[-1]))
        buttons = [b for row in self._rows for b in row]
        self._rows = []
        while buttons:
            size = min(max(next(widths), 1), MAX_WIDTH)
            self._rows.append(buttons[:size])
            buttons = buttons[size:]
        return self

    def as_markup(self) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=[list(row) for row in self._rows])
