"""Dialog states that more than one router refers to (the quantity picker's)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class JoinState(StatesGroup):
    # The picker of (group, offer) in the state's data is on screen: a typed number sets that
    # quantity; any other text is still a search. Pressing a button elsewhere leaves it.
    picker = State()
    quantity = State()  # "Type a number" was pressed: the next text must be a quantity


class DigestState(StatesGroup):
    zone = State()  # the next text is a time zone name (Europe/Rome)


class Search(StatesGroup):
    query = State()  # /search without words: the next text is what to look for
