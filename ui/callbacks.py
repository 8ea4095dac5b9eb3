"""Every inline button's payload, typed. Prefixes are short: callback_data holds 64 bytes at most.

Payloads are untrusted input: handlers re-check that what they name exists, belongs to the user
and still allows the action.
"""

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# Ids and counts fit the database's 32-bit integer columns: anything outside is a forged or
# garbled button, which fails to unpack and reaches the catch-all "out of date" answer.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=0, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=100_000)]


class SettingsAction(StrEnum):
    SHOW = "show"
    LANG = "lang"
    COUNTRY = "country"
    CITY = "city"
    CURRENCY = "currency"
    PICKUP = "pickup"
    DIGEST = "digest"


class MenuAction(StrEnum):
    HOME = "home"
    SEARCH = "search"
    HELP = "help"
    ORDERS = "orders"
    CANCEL = "cancel"


class GroupAction(StrEnum):
    SHOW = "show"
    LIST = "list"  # with id 0: the open groups of the buyer's city
    REMIND = "remind"
    MUTE = "mute"
    LEAVE = "leave"
    LEAVE_OK = "leave_ok"


class QtyAction(StrEnum):
    PICKER = "p"
    CONFIRM = "ok"
    TYPE = "t"  # type a number


class AdminGroupAction(StrEnum):
    NEW_OK = "new_ok"
    SKIP = "skip"
    METHOD_AIR = "method_air"
    METHOD_RAIL = "method_rail"
    METHOD_SEA = "method_sea"
    METHOD_EXPRESS = "method_express"
    PICKUP = "pickup"  # with the pickup point's id
    PAY_FORMED = "pay_formed"  # /gb_new: buyers pay when the group forms
    PAY_NOW = "pay_now"  # /gb_new: buyers pay on joining
    PAY_METHOD = "pay_m"  # /gb_new: toggle a way to pay (id: its index in PAY_METHOD_ORDER)
    PAY_DONE = "pay_done"  # /gb_new: the ways to pay are chosen


class AgentAction(StrEnum):
    PAID = "paid"  # record a payment (asks how much and how, then to confirm)
    HANDED = "handed"
    PICK = "pick"
    REFUND = "refund"  # record the refund due (asks to confirm)
    UNDO = "undo"  # undo a payment just recorded (id: the payment), within 10 minutes
    COLLECT = "collect"  # the group's collection list (id: the group)


class PayAction(StrEnum):
    """What an agent's payment prompt does (PayCb)."""

    FULL = "full"  # record what is still due, by method `m`
    TYPE = "type"  # type another amount, by method `m`
    OK = "ok"  # confirmed: record `n` minor units by method `m`, if the balance is still `v`
    NO = "no"  # keep it as it is
    REFUND_OK = "rok"  # confirmed: the refund of `n` was made, if the balance is still `v`


class ShipAction(StrEnum):
    SHOW = "show"
    LIST = "list"
    POST = "post"  # post the step `s` (a shipment.Step) on the shipment at version `v`
    METHOD = "method"  # /ship dialog: the method `s`
    ETA = "eta"  # /ship dialog: the usual lead time
    CREATE = "create"  # /ship dialog: create it


class DigestAction(StrEnum):
    SHOW = "show"
    FREQUENCY = "freq"  # v: 0 daily, 1 weekly, 2 off
    DAY = "day"  # v: 0 Monday … 6 Sunday
    HOUR = "hour"  # v: 0-23
    ZONE = "zone"  # type a time zone
    ALERTS = "alerts"  # v: 1 on, 0 off
    STOP = "stop"  # from a digest: no more digests
    ALERTS_OFF = "alerts_off"  # from a group alert: no more of them


class ConfirmAction(StrEnum):
    GB_CANCEL = "gb_cancel"
    GB_CLOSE = "gb_close"
    AGENT_REMOVE = "agent_remove"
    SHIP_STATUS = "ship_status"
    RATE_SET = "rate_set"  # a change of more than 20 %
    RATE_REMOVE = "rate_remove"
    ADMIN_REMOVE = "admin_rm"
    BLOCK = "block"
    BROADCAST = "bcast"
    IMPORT = "import"  # a product file, checked, to apply
    PRODUCT_HIDE = "p_hide"
    CATEGORY_HIDE = "c_hide"


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
    action: SettingsAction


class MenuCb(CallbackData, prefix="m"):
    action: MenuAction


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
    a: GroupAction = GroupAction.SHOW


class QtyCb(CallbackData, prefix="q"):
    g: Id  # group
    o: Id  # offer
    n: Count  # quantity shown (the ± buttons carry the new one)
    a: QtyAction = QtyAction.PICKER


class AdminGroupCb(CallbackData, prefix="ag"):
    id: Id
    a: AdminGroupAction


class AgentCb(CallbackData, prefix="at"):
    id: Id  # an order (paid, handed) or a group (pick)
    a: AgentAction


class PayCb(CallbackData, prefix="py"):
    """An agent recording a payment for order `id`; `v` is the amount still due the prompt
    showed (a confirmation for a balance that changed since is refused)."""

    id: Id
    a: PayAction
    m: str = ""  # a PayMethod
    n: Annotated[int, Field(ge=0, le=10**12)] = 0
    v: Annotated[int, Field(ge=-(10**12), le=10**12)] = 0


class InvoiceCb(CallbackData, prefix="iv"):
    """A buyer asking for the invoice of order `id` (Telegram Payments)."""

    id: Id


class NoteCb(CallbackData, prefix="nt"):
    """A buyer's note on the line of offer `o` in their order in group `g` (a name to carve)."""

    g: Id
    o: Id
    clear: bool = False


class CheckoutAction(StrEnum):
    SHOW = "show"  # the buyer's delivery details
    PICKUP = "pickup"  # collect at a pickup point
    HOME = "home"  # home delivery: asks the address and phone (kept ones offered)
    RESTAURANT = "rest"  # restaurant delivery: also business name and VAT (optional)
    KEEP = "keep"  # keep the address / phone / business detail already given
    SKIP = "skip"  # leave an optional detail (business name, VAT) empty


class CheckoutCb(CallbackData, prefix="co2"):
    a: CheckoutAction
    new: bool = False  # from a notice or the order screen: answer with a new message


class PickupCb(CallbackData, prefix="pp"):
    id: Id  # a pickup point, 0 for none (delivery)


class ConfirmCb(CallbackData, prefix="cf"):
    a: ConfirmAction
    t: str  # the token keying what the prompt showed (handlers.confirm)
    no: bool = False  # the prompt's Cancel button


class ShipCb(CallbackData, prefix="sh"):
    id: Id  # a shipment (0 with LIST)
    a: ShipAction = ShipAction.SHOW
    v: Count = 0  # the shipment's version the button was drawn at (POST)
    s: str = ""  # the step to post (POST)
    p: Count = 0  # the page (LIST)


class TrackCb(CallbackData, prefix="tk"):
    new: bool = False  # from a notice: the timeline comes as a new message, the notice stays


class DigestCb(CallbackData, prefix="dg"):
    a: DigestAction
    v: Annotated[int, Field(ge=0, le=23)] = 0
    new: bool = False  # from a digest or an alert: the screen comes as a new message
