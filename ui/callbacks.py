"""Every inline button's payload, typed. Prefixes are short: callback_data holds 64 bytes at most.

Payloads are untrusted input: handlers re-check that what they name exists, belongs to the user
and still allows the action.
"""

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# Ids and counts fit the database's 32-bit integer columns: anything outside is a forged or
# garbled button, which fails to unpack and reaches the catch-all "out of date" answer.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=0, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=100_000)]

# Where a picker was opened from: onboarding ("o") or settings ("s").
ONBOARDING = "o"
SETTINGS = "s"
# Product cards opened from search results go back there, not to a category.
FROM_SEARCH = -1


class LangCb(CallbackData, prefix="lg"):
    code: str
    ctx: str


class CountryCb(CallbackData, prefix="co"):
    code: str  # ISO code, or "_" for "another country" (typed)
    ctx: str


class CityCb(CallbackData, prefix="ci"):
    country: str
    index: Annotated[
        int, Field(ge=-1, le=999)
    ]  # position in the country's common cities, -1 for "another city" (typed)
    ctx: str


class CurrencyCb(CallbackData, prefix="cu"):
    code: str


class SettingsCb(CallbackData, prefix="st"):
    action: str  # show | lang | country | city | currency | close


class MenuCb(CallbackData, prefix="m"):
    action: str  # home | catalog | search | settings | help | cancel


class CategoryCb(CallbackData, prefix="c"):
    id: Id  # 0: the list of categories
    page: Count = 0


class ProductCb(CallbackData, prefix="p"):
    id: Id
    cat: Annotated[int, Field(ge=-1, le=MAX_ID)]  # where "back" goes: a category id, or FROM_SEARCH
    page: Count = 0


class SearchPageCb(CallbackData, prefix="sp"):
    page: Count


class NoopCb(CallbackData, prefix="n"):
    pass


class GroupCb(CallbackData, prefix="g"):
    id: Id  # 0 with action "list": the open groups of the buyer's city
    a: str = "show"  # show | list | remind | mute | leave | leave_ok


class QtyCb(CallbackData, prefix="q"):
    g: Id  # group
    o: Id  # offer
    n: Count  # quantity shown (the ± buttons carry the new one)
    a: str = "p"  # p: picker | ok: confirm | t: type a number


class AdminGroupCb(CallbackData, prefix="ag"):
    id: Id
    a: str  # new_ok | skip | method_<air|rail|sea>


class AgentCb(CallbackData, prefix="at"):
    id: Id  # an order (paid, handed) or a group (pick)
    a: str  # paid | handed | pick


class PickupCb(CallbackData, prefix="pp"):
    id: Id  # a pickup point, 0 for none (delivery)


class ConfirmCb(CallbackData, prefix="cf"):
    a: str  # the action: gb_cancel | gb_close | agent_remove
    t: str  # the token keying what the prompt showed (handlers.confirm)
    no: bool = False  # the prompt's Cancel button
