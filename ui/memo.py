"""Screens drawn once per version of what they show.

The services hand out the same cached objects (services.cache) until the rows behind them
change, so a screen drawn from the same objects, in the same language and for the same currency
and country, is the same text and keyboard: it is kept and reused. An entry holds the objects it
was drawn from and is used only while the screen is asked for with those very objects (`is`,
not equality), so rows read again after a change always draw a new screen."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Drawn:
    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.entries: dict[Hashable, tuple[tuple[Any, ...], Any]] = {}

    def get(self, sources: tuple[Any, ...], key: Hashable, draw: Callable[[], T]) -> T:
        slot = (tuple(id(source) for source in sources), key)
        found = self.entries.get(slot)
        if found is not None and all(a is b for a, b in zip(found[0], sources, strict=True)):
            return found[1]
        value = draw()
        if len(self.entries) >= self.size:
            self.entries.clear()
        self.entries[slot] = (sources, value)
        return value

    def clear(self) -> None:
        self.entries.clear()
