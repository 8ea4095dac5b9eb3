"""Parsing what an admin types to open a group order — shared by the guided dialog and the
one-line form, so both accept exactly the same input.

One-line form (keys in any order; quotes for values with spaces):

    /gb_new country=IT city=Milan method=rail deadline="2026-12-20 12:00" min=200kg
            cap=500kg tiers=0,100,300 offer=rice-fish-rice-5kg:98,90,85
            offer=dried-shiitake:38,36,35 pickup="Ristorante Roma, Via Sarpi 10"
            pay=now methods=cash,transfer iban="DE89 3704 0044 0532 0130 00"
            beneficiary="Qingtian Bridge GmbH"

Amounts are kilograms (`200kg`, `12.5 kg`) or units (`50`, `50u`); tier thresholds are in the
group's measure (kg or units); prices are yuan per product unit (`98`, `98.5`).
`pay` is when buyers pay: `formed` (the default: when the group forms, at the final price) or
`now` (when they join, at the current price); `methods` the ways they may pay: `cash` (the
default), `transfer` (needs `iban` and `beneficiary`), `telegram` (needs a payment provider).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from domain import geo
from domain.iban import IbanError, parse_iban
from models import Measure, PayMethod, PayWhen, ShippingMethod

MAX_AMOUNT_KG = 1_000_000
MAX_UNITS = 10_000_000
MAX_PRICE_YUAN = 1_000_000
MAX_DAYS_AHEAD = 366
MAX_BENEFICIARY = 128


class SpecError(ValueError):
    """`code` names what is wrong; `value` is the offending input (for the message)."""

    def __init__(self, code: str, value: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.value = value


METHOD_WORDS = {
    "air": ShippingMethod.AIR, "plane": ShippingMethod.AIR, "空运": ShippingMethod.AIR,
    "rail": ShippingMethod.RAIL, "train": ShippingMethod.RAIL, "铁路": ShippingMethod.RAIL,
    "中欧班列": ShippingMethod.RAIL, "sea": ShippingMethod.SEA, "ship": ShippingMethod.SEA,
    "海运": ShippingMethod.SEA, "express": ShippingMethod.EXPRESS, "courier": ShippingMethod.EXPRESS,
    "快递": ShippingMethod.EXPRESS,
}  # fmt: skip


def parse_method(text: str) -> str:
    method = METHOD_WORDS.get(text.strip().lower())
    if method is None:
        raise SpecError("method", text)
    return method


def parse_destination(text: str, locale: str) -> tuple[str, str]:
    """`IT Milan`, `Italia Milano`? — the first word is a country (code or name), the rest the city."""
    parts = text.strip().split(maxsplit=1)
    if len(parts) != 2:
        raise SpecError("destination", text)
    country = geo.find_country(parts[0], locale)
    if country is None:
        raise SpecError("country", parts[0])
    city = " ".join(parts[1].split())
    if not city or len(city) > 64:
        raise SpecError("city", parts[1])
    return country, geo.canonical_city(country, city)


_RELATIVE = re.compile(r"^\+\s*(\d{1,3})\s*([dhm])$", re.IGNORECASE)


def parse_deadline(
    text: str, *, timezone: str, now: datetime, base: datetime | None = None
) -> datetime:
    """`2026-12-20 12:00` in the admin's time zone, or `+3d`, `+36h` from `base` (the current
    deadline, when moving one) or else from now; returns an aware UTC time."""
    value = text.strip()
    match = _RELATIVE.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        delta = {
            "d": timedelta(days=amount),
            "h": timedelta(hours=amount),
            "m": timedelta(minutes=amount),
        }[unit]
        deadline = (base or now) + delta
    else:
        parsed = None
        for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
            try:
                parsed = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
        if parsed is None:
            raise SpecError("deadline", text)
        if len(value) == 10:
            parsed = parsed.replace(hour=23, minute=59)
        try:
            zone = ZoneInfo(timezone)
        except (KeyError, ValueError):
            zone = ZoneInfo("UTC")
        deadline = parsed.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
    if deadline <= now:
        raise SpecError("deadline_past", text)
    if deadline > now + timedelta(days=MAX_DAYS_AHEAD):
        raise SpecError("deadline_far", text)
    return deadline


_AMOUNT = re.compile(r"^(\d+(?:[.,]\d{1,3})?)\s*(kg|公斤|千克|u|units?|件)?$", re.IGNORECASE)


def parse_amount(text: str, measure: str | None = None) -> tuple[str, int]:
    """`200kg` → (weight, 200000 g); `50` or `50u` → (units, 50). With `measure` given, a bare
    number is read in that measure."""
    match = _AMOUNT.match(text.strip().replace(" ", ""))
    if not match:
        raise SpecError("amount", text)
    number = Decimal(match.group(1).replace(",", "."))
    suffix = (match.group(2) or "").lower()
    if suffix in ("kg", "公斤", "千克") or (not suffix and measure == Measure.WEIGHT):
        grams = int(number * 1000)
        if grams <= 0 or number > MAX_AMOUNT_KG:
            raise SpecError("amount", text)
        if measure == Measure.UNITS:
            raise SpecError("measure_mismatch", text)
        return Measure.WEIGHT, grams
    if number != number.to_integral_value() or number <= 0 or number > MAX_UNITS:
        raise SpecError("amount", text)
    if measure == Measure.WEIGHT:
        raise SpecError("measure_mismatch", text)
    return Measure.UNITS, int(number)


def parse_tiers(text: str, measure: str) -> list[int]:
    """`0,100,300` (kg or units, as the minimum) → thresholds in grams or units; `-` → one tier."""
    value = text.strip()
    if value in ("", "-", "none", "0"):
        return [0]
    thresholds = []
    for part in re.split(r"[,\s;]+", value):
        if not part:
            continue
        if part == "0":
            thresholds.append(0)
            continue
        _, amount = parse_amount(part, measure)
        thresholds.append(amount)
    if not thresholds or thresholds[0] != 0:
        thresholds.insert(0, 0)
    if any(b <= a for a, b in zip(thresholds, thresholds[1:], strict=False)):
        raise SpecError("tiers", text)
    return thresholds


def parse_price(text: str) -> int:
    """Yuan → fen: `98`, `98.5`, `98,50`."""
    try:
        value = Decimal(text.strip().replace(",", ".").lstrip("¥"))
    except InvalidOperation as error:
        raise SpecError("price", text) from error
    if (
        not value.is_finite()
        or value <= 0
        or value > MAX_PRICE_YUAN
        or value != value.quantize(Decimal("0.01"))
    ):
        raise SpecError("price", text)
    return int(value * 100)


def parse_offer(text: str, tiers: int) -> tuple[str, list[int]]:
    """`rice-fish-rice-5kg:98,90,85` or `rice-fish-rice-5kg 98 90 85` → (slug, prices in fen).
    One price for every tier; a single price applies to all."""
    value = text.strip()
    slug, _, rest = value.replace(":", " ", 1).partition(" ")
    parts = [p for p in re.split(r"[,\s;/]+", rest) if p]
    if not slug or not parts:
        raise SpecError("offer", text)
    prices = [parse_price(p) for p in parts]
    if len(prices) == 1:
        prices = prices * tiers
    if len(prices) != tiers:
        raise SpecError("offer_prices", text)
    return slug.lower(), prices


PAY_WHEN_WORDS = {
    "formed": PayWhen.FORMED, "form": PayWhen.FORMED, "later": PayWhen.FORMED,
    "成团": PayWhen.FORMED, "now": PayWhen.NOW, "join": PayWhen.NOW, "立即": PayWhen.NOW,
    "现在": PayWhen.NOW,
}  # fmt: skip
PAY_METHOD_WORDS = {
    "telegram": PayMethod.TELEGRAM, "tg": PayMethod.TELEGRAM, "card": PayMethod.TELEGRAM,
    "cash": PayMethod.CASH, "现金": PayMethod.CASH, "transfer": PayMethod.TRANSFER,
    "bank": PayMethod.TRANSFER, "iban": PayMethod.TRANSFER, "转账": PayMethod.TRANSFER,
    "银行转账": PayMethod.TRANSFER,
}  # fmt: skip
# the order ways to pay are listed and stored in (the /gb_new buttons' ids index into it)
PAY_METHOD_ORDER: tuple[str, ...] = (PayMethod.TELEGRAM, PayMethod.CASH, PayMethod.TRANSFER)


def parse_pay_when(text: str) -> str:
    when = PAY_WHEN_WORDS.get(text.strip().lower())
    if when is None:
        raise SpecError("pay_when", text)
    return when


def ordered_methods(methods: Iterable[str]) -> list[str]:
    """The ways to pay in their usual order, each once (unknown ones last, as given)."""
    chosen = list(dict.fromkeys(methods))
    known = [m for m in PAY_METHOD_ORDER if m in chosen]
    return known + [m for m in chosen if m not in PAY_METHOD_ORDER]


def parse_pay_methods(text: str, *, invoices: bool) -> list[str]:
    """`cash,transfer` (commas, spaces or +) → the ways to pay; `telegram` only with invoices on
    (a payment provider token configured)."""
    methods: list[str] = []
    for part in re.split(r"[,\s;+/]+", text.strip()):
        if not part:
            continue
        method = PAY_METHOD_WORDS.get(part.lower())
        if method is None:
            raise SpecError("pay_method", part)
        if method == PayMethod.TELEGRAM and not invoices:
            raise SpecError("invoices_off", part)
        methods.append(method)
    if not methods:
        raise SpecError("no_pay_method", text)
    return ordered_methods(methods)


def parse_account_iban(text: str) -> str:
    """An IBAN typed in /gb_new; a mistake is a SpecError `iban_<problem>` (domain.iban)."""
    try:
        return parse_iban(text)
    except IbanError as error:
        raise SpecError(f"iban_{error.problem}", text) from error


def parse_beneficiary(text: str) -> str:
    """Whom a transfer is made out to, as the bank has the name: 1-128 characters."""
    name = " ".join(text.split())
    if not name or len(name) > MAX_BENEFICIARY or not name.isprintable():
        raise SpecError("beneficiary", name[:32])
    return name


@dataclass
class Draft:
    """A group order being written: the dialog fills it step by step, the one-line form at once."""

    country: str | None = None
    city: str | None = None
    pickup_point: str | None = None
    method: str | None = None
    deadline: datetime | None = None
    measure: str | None = None
    min_total: int | None = None
    capacity: int | None = None
    tiers: list[int] = field(default_factory=lambda: [0])
    offers: list[tuple[str, list[int]]] = field(default_factory=list)
    pay_when: str = PayWhen.FORMED
    pay_methods: list[str] = field(default_factory=lambda: [PayMethod.CASH])
    iban: str | None = None  # compact; only with a bank transfer among the ways to pay
    beneficiary: str | None = None

    def to_dict(self) -> dict:
        return {
            "country": self.country, "city": self.city, "pickup_point": self.pickup_point,
            "method": self.method, "deadline": self.deadline.isoformat() if self.deadline else None,
            "measure": self.measure, "min_total": self.min_total, "capacity": self.capacity,
            "tiers": self.tiers, "offers": [[slug, prices] for slug, prices in self.offers],
            "pay_when": self.pay_when, "pay_methods": list(self.pay_methods), "iban": self.iban,
            "beneficiary": self.beneficiary,
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict) -> Draft:
        deadline = data.get("deadline")
        return cls(
            country=data.get("country"), city=data.get("city"),
            pickup_point=data.get("pickup_point"), method=data.get("method"),
            deadline=datetime.fromisoformat(deadline) if deadline else None,
            measure=data.get("measure"), min_total=data.get("min_total"),
            capacity=data.get("capacity"), tiers=list(data.get("tiers") or [0]),
            offers=[(slug, list(prices)) for slug, prices in data.get("offers") or []],
            pay_when=data.get("pay_when") or PayWhen.FORMED,
            pay_methods=list(data.get("pay_methods", [PayMethod.CASH]) or []),
            iban=data.get("iban"), beneficiary=data.get("beneficiary"),
        )  # fmt: skip

    def missing(self) -> list[str]:
        wanted = {
            "destination": self.country and self.city, "method": self.method,
            "deadline": self.deadline, "min": self.min_total, "offers": self.offers,
        }  # fmt: skip
        return [name for name, value in wanted.items() if not value]

    @property
    def by_transfer(self) -> bool:
        return PayMethod.TRANSFER in self.pay_methods


def parse_one_line(
    text: str, *, locale: str, timezone: str, now: datetime, invoices: bool = False
) -> Draft:
    """The whole group in `key=value` tokens (the module's docstring has them); `invoices`:
    Telegram Payments can be offered (a payment provider token is configured)."""
    try:
        tokens = shlex.split(text)
    except ValueError as error:
        raise SpecError("quotes", text) from error
    draft = Draft()
    values: dict[str, list[str]] = {}
    for token in tokens:
        key, sep, value = token.partition("=")
        if not sep:
            raise SpecError("token", token)
        values.setdefault(key.strip().lower(), []).append(value)
    known = {
        "country", "city", "method", "deadline", "min", "cap", "tiers", "offer", "pickup", "pay",
        "methods", "iban", "beneficiary",
    }  # fmt: skip
    for key in values:
        if key not in known:
            raise SpecError("key", key)
    if "country" not in values or "city" not in values:
        raise SpecError("destination", text)
    draft.country, draft.city = parse_destination(
        f"{values['country'][0]} {values['city'][0]}", locale
    )
    if "method" in values:
        draft.method = parse_method(values["method"][0])
    if "deadline" in values:
        draft.deadline = parse_deadline(values["deadline"][0], timezone=timezone, now=now)
    if "min" in values:
        draft.measure, draft.min_total = parse_amount(values["min"][0])
    if "cap" in values:
        _, draft.capacity = parse_amount(values["cap"][0], draft.measure)
    if "tiers" in values:
        draft.tiers = parse_tiers(values["tiers"][0], draft.measure or Measure.WEIGHT)
    for offer in values.get("offer", []):
        draft.offers.append(parse_offer(offer, len(draft.tiers)))
    if "pickup" in values:
        pickup = " ".join(values["pickup"][0].split())
        if len(pickup) > 256:
            raise SpecError("pickup", pickup[:32])
        draft.pickup_point = pickup or None
    if "pay" in values:
        draft.pay_when = parse_pay_when(values["pay"][0])
    if "methods" in values:
        draft.pay_methods = parse_pay_methods(",".join(values["methods"]), invoices=invoices)
    if "iban" in values:
        draft.iban = parse_account_iban(values["iban"][0])
    if "beneficiary" in values:
        draft.beneficiary = parse_beneficiary(values["beneficiary"][0])
    if draft.by_transfer:
        if draft.iban is None:
            raise SpecError("transfer_without_iban")
        if draft.beneficiary is None:
            raise SpecError("transfer_without_beneficiary")
    elif draft.iban is not None or draft.beneficiary is not None:
        raise SpecError("account_without_transfer")
    missing = draft.missing()
    if missing:
        raise SpecError("missing", ", ".join(missing))
    return draft
