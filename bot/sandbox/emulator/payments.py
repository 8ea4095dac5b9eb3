"""Telegram Payments: ``sendInvoice``, the user paying (a pre-checkout query), the bot's
``answerPreCheckoutQuery`` and the ``successful_payment`` message that follows an accepted one.

The flow, as on Telegram: the bot sends an invoice; the user presses Pay and confirms
(:meth:`PaymentsMixin.pay`), which queues a ``pre_checkout_query`` update; the bot answers it
within ``pre_checkout_timeout`` seconds. Refused: the user is shown the bot's ``error_message``
and nothing is charged. Accepted: the provider charges (always successfully here) and a message
from the user with ``successful_payment`` is queued. The invoice then shows a receipt instead of
its Pay button, so it cannot be paid a second time.

Error texts: the ones Telegram is known to give (``CURRENCY_INVALID``,
``PAYMENT_PROVIDER_INVALID``, ``INVOICE_PAYLOAD_INVALID``, ``REPLY_MARKUP_BUY_EMPTY``,
``QUERY_ID_INVALID``, the Bot API's ``parameter "..." is required``), and close stand-ins where
its exact wording is not known (``TITLE_INVALID``, ``DESCRIPTION_INVALID``,
``TOTAL_AMOUNT_INVALID``). Not emulated: shipping queries (``is_flexible``), tips (accepted and
ignored), Telegram's per-currency minimum and maximum totals.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from bot.sandbox.emulator.errors import (
    ERR_QUERY_ID_INVALID,
    MAX_INVOICE_AMOUNT,
    MAX_INVOICE_DESCRIPTION_LENGTH,
    MAX_INVOICE_PAYLOAD_BYTES,
    MAX_INVOICE_TITLE_LENGTH,
    MAX_SUGGESTED_TIPS,
    _bad,
)
from bot.sandbox.emulator.messages import MessagesMixin, _check_pay_button
from bot.sandbox.emulator.params import _Params
from bot.sandbox.emulator.state import (
    EmuInvoice,
    EmuMessage,
    EmuPreCheckoutQuery,
    EmuUser,
)
from bot.sandbox.emulator.updates import UpdatesMixin

STARS = "XTR"  # Telegram Stars: no provider, exactly one price
TEST_PROVIDER_TOKEN = "284685063:TEST:sandbox"  # any non-empty token is accepted too

# https://core.telegram.org/bots/payments#supported-currencies
SUPPORTED_CURRENCIES = frozenset(
    """AED AFN ALL AMD ARS AUD AZN BAM BDT BGN BND BOB BRL BYN CAD CHF CLP CNY COP CRC CZK DKK
    DOP DZD EGP ETB EUR GBP GEL GTQ HKD HNL HRK HUF IDR ILS INR ISK JMD JPY KES KGS KRW KZT LBP
    LKR MAD MDL MNT MUR MVR MXN MYR MZN NGN NIO NOK NPR NZD PAB PEN PHP PKR PLN PYG QAR RON RSD
    RUB SAR SEK SGD THB TJS TRY TTD TWD TZS UAH UGX USD UYU UZS VND YER ZAR XTR""".split()
)
# Digits after the decimal point where they are not 2 (ISO 4217; Stars are whole).
CURRENCY_EXPONENTS = {
    "CLP": 0, "ISK": 0, "JPY": 0, "KRW": 0, "PYG": 0, "UGX": 0, "VND": 0, STARS: 0,
}  # fmt: skip


def format_amount(amount: int, currency: str) -> str:
    """``2850, "EUR"`` → ``"28.50 EUR"`` (for the terminal and logs; users see the bot's own)."""
    exponent = CURRENCY_EXPONENTS.get(currency, 2)
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 10**exponent)
    digits = f"{whole}.{part:0{exponent}d}" if exponent else str(whole)
    return f"{sign}{digits} {currency}"


class PaymentsMixin(MessagesMixin, UpdatesMixin):
    """sendInvoice, answerPreCheckoutQuery, and the user's side: :meth:`pay`."""

    # ---------------------------------------------------------------- API methods

    async def _api_send_invoice(self, params: _Params) -> dict[str, Any]:
        title = _required(params, "title")
        description = _required(params, "description")
        payload = _required(params, "payload")
        currency = _required(params, "currency")
        prices = _prices(params.get_json("prices"))
        provider_token = params.get_str("provider_token") or ""
        max_tip = params.get_int("max_tip_amount", 0) or 0
        tips = params.get_json("suggested_tip_amounts") or []
        if not isinstance(tips, list) or not all(_is_int(tip) for tip in tips):
            raise _bad("can't parse suggested tip amounts JSON object")
        inline, other = self._parse_markup(params)
        if other is not None:
            raise _bad("REPLY_MARKUP_INVALID")  # an invoice takes an inline keyboard only
        _check_pay_button(inline)
        chat = self._chat_for_send(params)

        if len(title) > MAX_INVOICE_TITLE_LENGTH:
            raise _bad("TITLE_INVALID")
        if len(description) > MAX_INVOICE_DESCRIPTION_LENGTH:
            raise _bad("DESCRIPTION_INVALID")
        if len(payload.encode("utf-8")) > MAX_INVOICE_PAYLOAD_BYTES:
            raise _bad("INVOICE_PAYLOAD_INVALID")
        if currency not in SUPPORTED_CURRENCIES:
            raise _bad("CURRENCY_INVALID")
        if currency == STARS:
            if provider_token:
                raise _bad("PAYMENT_PROVIDER_INVALID")
            if len(prices) != 1:
                raise _bad("STARS_INVOICE_INVALID")
        elif not provider_token.strip():
            raise _bad("PAYMENT_PROVIDER_INVALID")
        for price in prices:
            if abs(price["amount"]) > MAX_INVOICE_AMOUNT:
                raise _bad("Too big amount of the currency specified")
        total = sum(price["amount"] for price in prices)
        if total <= 0:
            raise _bad("TOTAL_AMOUNT_INVALID")
        if total > MAX_INVOICE_AMOUNT:
            raise _bad("Total price is too big")
        if max_tip < 0 or len(tips) > MAX_SUGGESTED_TIPS:
            raise _bad("SUGGESTED_TIP_AMOUNTS_INVALID")

        message = self._new_bot_message(chat, params)
        message.invoice = EmuInvoice(
            title=title,
            description=description,
            payload=payload,
            currency=currency,
            prices=prices,
            total_amount=total,
            provider_token=provider_token,
            start_parameter=params.get_str("start_parameter") or "",
            photo_url=params.get_str("photo_url") or None,
            need_name=params.get_bool("need_name"),
            need_phone_number=params.get_bool("need_phone_number")
            or params.get_bool("send_phone_number_to_provider"),
            need_email=params.get_bool("need_email") or params.get_bool("send_email_to_provider"),
            need_shipping_address=params.get_bool("need_shipping_address")
            or params.get_bool("is_flexible"),
            is_flexible=params.get_bool("is_flexible"),
            max_tip_amount=max_tip,
            suggested_tip_amounts=[int(tip) for tip in tips],
            protect_content=params.get_bool("protect_content"),
        )
        message.reply_markup = inline
        return await self._store_bot_message(chat, message)

    async def _api_answer_pre_checkout_query(self, params: _Params) -> bool:
        query = self.pre_checkout_queries.get(params.get_str("pre_checkout_query_id") or "")
        if query is None or query.answered or self._expired(query):
            raise _bad(ERR_QUERY_ID_INVALID)
        ok = params.get_bool("ok")
        error_message = (params.get_str("error_message") or "").strip()
        if not ok and not error_message:
            raise _bad("ERROR_TEXT_EMPTY")
        query.answered, query.ok = True, ok
        if ok:
            self._charge(query)
        else:
            query.error_message = error_message  # what Telegram shows the user
        await self._fire(self.on_pre_checkout_answer, query)
        return True

    # ---------------------------------------------------------------- the user's side

    def pay(
        self,
        user: EmuUser,
        message: EmuMessage | int,
        *,
        order_info: dict[str, Any] | None = None,
    ) -> str:
        """The user presses Pay under invoice ``message`` (or its id) in their chat and confirms:
        a ``pre_checkout_query`` update is queued. Returns the query id (see
        :attr:`pre_checkout_queries`). ``order_info`` overrides what the user fills in for the
        invoice's ``need_*`` fields (by default: their name, a phone, an email, an address).

        Raises ``LookupError`` when there is no such message, ``ValueError`` when it is not an
        invoice or is already paid."""
        message_id = message if isinstance(message, int) else message.message_id
        chat = self.chats.get(user.id)
        stored = chat.get(message_id) if chat is not None else None
        if chat is None or stored is None or stored.deleted:
            raise LookupError(f"no message #{message_id} in chat {user.id}")
        invoice = stored.invoice
        if invoice is None:
            raise ValueError(f"message #{message_id} is not an invoice")
        if invoice.paid:
            raise ValueError(f"invoice #{message_id} is already paid ({invoice.charge_id})")
        if invoice.is_flexible:
            raise NotImplementedError("shipping queries (is_flexible) are not emulated")
        self.users.setdefault(user.id, user)
        info = order_info if order_info is not None else _order_info(user, invoice)
        self._query_counter += 1
        query_id = str(secrets.randbits(44) << 16 | self._query_counter)
        payload: dict[str, Any] = {
            "id": query_id,
            "from": user.to_dict(),
            "currency": invoice.currency,
            "total_amount": invoice.total_amount,
            "invoice_payload": invoice.payload,
        }
        if info:
            payload["order_info"] = info
        update = self._enqueue("pre_checkout_query", payload)
        self.pre_checkout_queries[query_id] = EmuPreCheckoutQuery(
            id=query_id,
            from_user=user,
            chat_id=chat.id,
            message_id=message_id,
            currency=invoice.currency,
            total_amount=invoice.total_amount,
            invoice_payload=invoice.payload,
            created=time.monotonic(),
            order_info=info or None,
            delivered=update is not None,
        )
        return query_id

    def invoices(self, chat_id: int, *, unpaid: bool = False) -> list[EmuMessage]:
        """The invoice messages in a chat, oldest first (``unpaid``: only those still payable)."""
        chat = self.chats.get(chat_id)
        return [
            message
            for message in (chat.history if chat is not None else [])
            if message.invoice is not None
            and not message.deleted
            and not (unpaid and message.invoice.paid)
        ]

    def payments(self, user_id: int | None = None) -> list[EmuPreCheckoutQuery]:
        """The payments that went through (their pre-checkout queries), oldest first."""
        return [
            query
            for query in self.pre_checkout_queries.values()
            if query.successful_payment is not None and user_id in (None, query.user_id)
        ]

    # ---------------------------------------------------------------- helpers

    def _expired(self, query: EmuPreCheckoutQuery) -> bool:
        timeout = self.pre_checkout_timeout
        return timeout is not None and time.monotonic() - query.created > timeout

    def _charge(self, query: EmuPreCheckoutQuery) -> None:
        """The provider charged the user: the successful_payment message, queued."""
        self._charge_counter += 1
        number = f"{self._instance_tag}_{self._charge_counter}"
        payment: dict[str, Any] = {
            "currency": query.currency,
            "total_amount": query.total_amount,
            "invoice_payload": query.invoice_payload,
            "telegram_payment_charge_id": f"emu_charge_{number}",
            "provider_payment_charge_id": "" if query.currency == STARS else f"emu_provider_{number}",
        }  # fmt: skip
        if query.order_info:
            payment["order_info"] = dict(query.order_info)
        chat = self.chats[query.chat_id]
        invoice_message = chat.get(query.message_id)
        if invoice_message is not None and invoice_message.invoice is not None:
            invoice_message.invoice.charge_id = payment["telegram_payment_charge_id"]
        message = EmuMessage(
            message_id=chat.new_message_id(),
            chat_id=chat.id,
            from_bot=False,
            from_user=query.from_user,
            date=int(time.time()),
            successful_payment=payment,
        )
        chat.history.append(message)
        query.successful_payment = payment
        query.payment_message_id = message.message_id
        query.update = self._enqueue("message", self.message_dict(message))


def _required(params: _Params, key: str) -> str:
    value = params.get_str(key)
    if not value:
        raise _bad(f'parameter "{key}" is required')
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _prices(raw: Any) -> list[dict[str, Any]]:
    """The ``prices`` parameter as ``[{"label", "amount"}]``, checked like the Bot API does."""
    if raw is None:
        raise _bad('parameter "prices" is required')
    if not isinstance(raw, list):
        raise _bad("can't parse prices JSON object")
    if not raw:
        raise _bad("There must be at least one price part")
    prices = []
    for item in raw:
        if not isinstance(item, dict):
            raise _bad("can't parse labeled price: expected an Object")
        label, amount = item.get("label"), item.get("amount")
        if not isinstance(label, str):
            raise _bad('can\'t parse labeled price: Field "label" must be of type String')
        if not _is_int(amount):
            raise _bad('can\'t parse labeled price: Field "amount" must be of type Integer')
        prices.append({"label": label, "amount": amount})
    return prices


def _order_info(user: EmuUser, invoice: EmuInvoice) -> dict[str, Any]:
    """What a sandbox user fills in on the payment form for the fields the invoice asks for."""
    info: dict[str, Any] = {}
    if invoice.need_name:
        info["name"] = " ".join(part for part in (user.first_name, user.last_name) if part)
    if invoice.need_phone_number:
        info["phone_number"] = f"39{user.id:010d}"[-12:]
    if invoice.need_email:
        info["email"] = f"user{user.id}@example.com"
    if invoice.need_shipping_address:
        info["shipping_address"] = {
            "country_code": "IT",
            "state": "",
            "city": "Milano",
            "street_line1": "Via Paolo Sarpi 1",
            "street_line2": "",
            "post_code": "20154",
        }
    return info
