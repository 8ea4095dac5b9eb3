"""Telegram Payments in the Bot API emulator: sendInvoice, the user paying, the bot's
pre-checkout answer, the successful_payment that follows, a redelivery, the terminal's :pay and
the harness's pay()."""

from __future__ import annotations

import asyncio
import io

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandStart
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
)

from bot.sandbox.emulator import (
    TEST_PROVIDER_TOKEN,
    BotAPIEmulator,
    EmuUser,
    format_amount,
)
from bot.sandbox.terminal import run_terminal

TOKEN = "123456:SANDBOX"
RICE = [
    LabeledPrice(label="Rice 5 kg × 2", amount=2500),
    LabeledPrice(label="Delivery", amount=350),
]


class _FastSession(AiohttpSession):
    """aiogram's session sleeps 250 ms on close (for TLS); nothing to wait for on loopback."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


@pytest.fixture
async def emu():
    async with BotAPIEmulator(token=TOKEN) as emulator:
        yield emulator


@pytest.fixture
async def bot(emu):
    bot = Bot(
        TOKEN,
        session=_FastSession(api=TelegramAPIServer.from_base(emu.base_url)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    yield bot
    await bot.session.close()


@pytest.fixture
async def user(emu, bot) -> EmuUser:
    user = EmuUser(id=7001, first_name="Lin", last_name="Wu", language_code="it")
    emu.send_message(user, "/start")  # the user has written to the bot
    [update] = await bot.get_updates(timeout=0)
    await bot.get_updates(offset=update.update_id + 1, timeout=0)  # and the bot has seen it
    return user


async def invoice(bot: Bot, chat_id: int, **changes) -> Message:
    fields = {
        "title": "Rice from Qingtian",
        "description": "Group order #12, Milano",
        "payload": "order:12",
        "provider_token": TEST_PROVIDER_TOKEN,
        "currency": "EUR",
        "prices": RICE,
        "start_parameter": "gb_12",
    }
    fields.update(changes)
    return await bot.send_invoice(chat_id, **fields)


class Shop:
    """A tiny bot: answers pre-checkout queries with `answers` in turn (None: accept, else the
    refusal text) and records the successful payments it is told about."""

    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.queries: list[PreCheckoutQuery] = []
        self.paid: list[Message] = []
        self.dp = Dispatcher()
        self.dp.pre_checkout_query()(self.on_query)
        self.dp.message(F.successful_payment)(self.on_paid)
        self.dp.message(CommandStart())(self.on_start)

    async def on_start(self, message: Message) -> None:
        await invoice(message.bot, message.chat.id)

    async def on_query(self, query: PreCheckoutQuery) -> None:
        self.queries.append(query)
        refusal = self.answers.pop(0) if self.answers else None
        if refusal is None:
            await query.answer(ok=True)
        else:
            await query.answer(ok=False, error_message=refusal)

    async def on_paid(self, message: Message) -> None:
        self.paid.append(message)
        await message.answer("Thank you, payment received")

    async def process(self, bot: Bot, emu: BotAPIEmulator) -> int:
        """Fetch the queued updates over HTTP and feed each to the dispatcher."""
        handled, offset = 0, 0
        while updates := await bot.get_updates(offset=offset, timeout=0):
            for update in updates:
                offset = update.update_id + 1
                await self.dp.feed_update(bot, update)
                handled += 1
        await bot.get_updates(offset=offset, timeout=0)  # confirm the last ones
        return handled


async def test_an_invoice_message_carries_the_invoice(emu, bot, user):
    sent = await invoice(bot, user.id)
    assert sent.invoice is not None
    assert (
        sent.invoice.title,
        sent.invoice.description,
        sent.invoice.start_parameter,
        sent.invoice.currency,
        sent.invoice.total_amount,
    ) == ("Rice from Qingtian", "Group order #12, Milano", "gb_12", "EUR", 2850)
    assert sent.text is None and sent.reply_markup is None
    stored = emu.last_bot_message(user.id)
    assert stored.message_id == sent.message_id and stored.kind == "invoice"
    assert stored.invoice.payload == "order:12" and not stored.invoice.paid
    assert stored.invoice.prices == [
        {"label": "Rice 5 kg × 2", "amount": 2500},
        {"label": "Delivery", "amount": 350},
    ]
    assert emu.calls("sendInvoice")[0].params["prices"][1] == {"label": "Delivery", "amount": 350}
    assert emu.invoices(user.id) == [stored]
    # an invoice has no text or caption to edit
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=user.id, message_id=sent.message_id, caption="c")


def pay_keyboard(first_is_pay: bool = True) -> InlineKeyboardMarkup:
    pay = InlineKeyboardButton(text="Pay €28.50", pay=True)
    other = InlineKeyboardButton(text="Details", callback_data="details")
    return InlineKeyboardMarkup(inline_keyboard=[[pay, other] if first_is_pay else [other, pay]])


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"currency": "EURO"}, "Bad Request: CURRENCY_INVALID"),
        ({"currency": "eur"}, "Bad Request: CURRENCY_INVALID"),
        ({"currency": "XAU"}, "Bad Request: CURRENCY_INVALID"),
        ({"provider_token": ""}, "Bad Request: PAYMENT_PROVIDER_INVALID"),
        ({"provider_token": None}, "Bad Request: PAYMENT_PROVIDER_INVALID"),
        ({"payload": "x" * 129}, "Bad Request: INVOICE_PAYLOAD_INVALID"),
        ({"payload": "单" * 43}, "Bad Request: INVOICE_PAYLOAD_INVALID"),  # 129 bytes
        ({"payload": ""}, 'Bad Request: parameter "payload" is required'),
        ({"title": ""}, 'Bad Request: parameter "title" is required'),
        ({"title": "t" * 33}, "Bad Request: TITLE_INVALID"),
        ({"description": "d" * 256}, "Bad Request: DESCRIPTION_INVALID"),
        ({"prices": []}, "Bad Request: There must be at least one price part"),
        (
            {
                "prices": [
                    LabeledPrice(label="Rice", amount=500),
                    LabeledPrice(label="-", amount=-500),
                ]
            },
            "Bad Request: TOTAL_AMOUNT_INVALID",
        ),
        ({"prices": [LabeledPrice(label="Free", amount=0)]}, "Bad Request: TOTAL_AMOUNT_INVALID"),
        ({"reply_markup": pay_keyboard(first_is_pay=False)}, "Bad Request: REPLY_MARKUP_BUY_EMPTY"),
        (
            {"currency": "XTR", "provider_token": None, "prices": RICE},
            "Bad Request: STARS_INVOICE_INVALID",
        ),
    ],
)
async def test_send_invoice_is_validated_like_telegram(emu, bot, user, changes, error):
    with pytest.raises(TelegramBadRequest) as caught:
        await invoice(bot, user.id, **changes)
    assert caught.value.message == error
    assert emu.invoices(user.id) == []


async def test_the_limits_themselves_are_accepted(emu, bot, user):
    await invoice(bot, user.id, title="t" * 32, description="d" * 255, payload="单" * 42 + "xx")
    await invoice(bot, user.id, reply_markup=pay_keyboard())
    stars = await invoice(
        bot, user.id, currency="XTR", provider_token=None,
        prices=[LabeledPrice(label="Stars", amount=50)],
    )  # fmt: skip
    discounted = await invoice(
        bot, user.id, prices=[LabeledPrice(label="Rice", amount=900), LabeledPrice(label="-10%", amount=-90)],
        max_tip_amount=500, suggested_tip_amounts=[100, 200], need_name=True, protect_content=True,
    )  # fmt: skip
    assert stars.invoice.total_amount == 50 and discounted.invoice.total_amount == 810
    assert discounted.has_protected_content
    assert len(emu.invoices(user.id)) == 4
    assert emu.message(user.id, 3).inline_buttons[0] == {"text": "Pay €28.50", "pay": True}


async def test_amounts_must_be_integers(emu, bot, user):
    url = f"{emu.base_url}/bot{TOKEN}/sendInvoice"
    body = {
        "chat_id": user.id, "title": "Rice", "description": "5 kg", "payload": "p",
        "provider_token": TEST_PROVIDER_TOKEN, "currency": "EUR",
    }  # fmt: skip
    async with aiohttp.ClientSession() as http:
        for prices, error in (
            ([{"label": "Rice", "amount": 12.5}], 'Field "amount" must be of type Integer'),
            ([{"label": "Rice", "amount": True}], 'Field "amount" must be of type Integer'),
            ([{"amount": 100}], 'Field "label" must be of type String'),
            ("not json", "can't parse prices JSON object"),
        ):
            async with http.post(url, json={**body, "prices": prices}) as response:
                answer = await response.json()
            assert response.status == 400 and error in answer["description"], answer
        async with http.post(url, json=body) as response:
            assert (await response.json())[
                "description"
            ] == 'Bad Request: parameter "prices" is required'
    assert emu.invoices(user.id) == []


async def test_a_refused_payment_shows_the_bots_reason_and_charges_nothing(emu, bot, user):
    shop = Shop("Sorry, the group order closed")
    sent = await invoice(bot, user.id)
    query_id = emu.pay(user, sent.message_id)
    await shop.process(bot, emu)

    [seen] = shop.queries
    assert (seen.id, seen.from_user.id, seen.currency, seen.total_amount, seen.invoice_payload) == (
        query_id, user.id, "EUR", 2850, "order:12",
    )  # fmt: skip
    query = emu.pre_checkout_queries[query_id]
    assert query.answered and query.ok is False
    assert query.error_message == "Sorry, the group order closed"  # what the user was shown
    assert query.successful_payment is None and query.update is None
    assert shop.paid == [] and emu.payments() == []
    assert [m.kind for m in emu.messages(user.id)] == ["text", "invoice"]  # no payment message
    assert not emu.invoices(user.id)[0].invoice.paid
    # the user may try again: a new query, accepted this time
    again = emu.pay(user, sent.message_id)
    await shop.process(bot, emu)
    assert again != query_id and emu.pre_checkout_queries[again].ok is True
    assert len(shop.paid) == 1


async def test_an_accepted_payment_sends_one_successful_payment(emu, bot, user):
    shop = Shop()
    first = await invoice(bot, user.id)
    second = await invoice(
        bot, user.id, payload="order:13", prices=[LabeledPrice(label="Tea", amount=990)]
    )
    query_id = emu.pay(user, first.message_id)
    await shop.process(bot, emu)

    [paid] = shop.paid
    payment = paid.successful_payment
    assert paid.from_user.id == user.id and paid.chat.id == user.id
    assert (payment.currency, payment.total_amount, payment.invoice_payload) == (
        "EUR",
        2850,
        "order:12",
    )
    assert payment.telegram_payment_charge_id.startswith("emu_charge_")
    assert payment.provider_payment_charge_id.startswith("emu_provider_")
    query = emu.pre_checkout_queries[query_id]
    assert query.charge_id == payment.telegram_payment_charge_id
    assert query.update["message"]["successful_payment"] == payment.model_dump(exclude_none=True)
    assert (
        emu.message(user.id, query.payment_message_id).successful_payment
        == query.successful_payment
    )
    assert emu.last_bot_message(user.id).text == "Thank you, payment received"
    # the invoice now shows its receipt: it cannot be paid twice
    assert emu.invoices(user.id, unpaid=True) == [emu.message(user.id, second.message_id)]
    with pytest.raises(ValueError, match="already paid"):
        emu.pay(user, first.message_id)

    emu.pay(user, second.message_id)
    await shop.process(bot, emu)
    charges = [p.successful_payment.telegram_payment_charge_id for p in shop.paid]
    assert len(charges) == 2 and len(set(charges)) == 2
    assert [q.total_amount for q in emu.payments(user.id)] == [2850, 990]


async def test_a_query_is_answered_once_and_in_time(emu, bot, user):
    sent = await invoice(bot, user.id)
    query_id = emu.pay(user, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="ERROR_TEXT_EMPTY"):
        await bot.answer_pre_checkout_query(query_id, ok=False)
    assert await bot.answer_pre_checkout_query(query_id, ok=True)
    with pytest.raises(TelegramBadRequest, match="QUERY_ID_INVALID"):
        await bot.answer_pre_checkout_query(query_id, ok=True)
    with pytest.raises(TelegramBadRequest, match="QUERY_ID_INVALID"):
        await bot.answer_pre_checkout_query("4242", ok=True)
    assert len(emu.payments()) == 1  # the second answer charged nothing

    late = emu.pay(user, (await invoice(bot, user.id)).message_id)
    emu.pre_checkout_queries[late].created -= emu.pre_checkout_timeout + 1  # 11 s went by
    with pytest.raises(TelegramBadRequest, match="QUERY_ID_INVALID"):
        await bot.answer_pre_checkout_query(late, ok=True)
    assert emu.pre_checkout_queries[late].successful_payment is None


async def test_a_successful_payment_can_be_delivered_again(emu, bot, user):
    shop = Shop()
    query_id = emu.pay(user, (await invoice(bot, user.id)).message_id)
    await shop.process(bot, emu)
    update = emu.pre_checkout_queries[query_id].update

    again = emu.redeliver(update)
    assert again["update_id"] > update["update_id"]
    assert again["message"] == update["message"]
    await shop.process(bot, emu)
    first, second = shop.paid
    assert first.message_id == second.message_id
    assert first.successful_payment == second.successful_payment  # same charge id: one payment
    assert len(emu.payments()) == 1


async def test_order_info_and_the_pay_button(emu, bot, user):
    sent = await invoice(bot, user.id, need_name=True, need_email=True, reply_markup=pay_keyboard())
    query_id = emu.press(user, sent.message_id, 0)  # the Pay button
    [update] = await bot.get_updates(timeout=0)
    info = update.pre_checkout_query.order_info
    assert update.pre_checkout_query.id == query_id
    assert (info.name, info.email, info.phone_number) == ("Lin Wu", "user7001@example.com", None)
    await bot.answer_pre_checkout_query(query_id, ok=True)
    [update] = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert update.message.successful_payment.order_info.name == "Lin Wu"
    with pytest.raises(ValueError, match="not an invoice"):
        emu.pay(user, update.message.message_id)
    with pytest.raises(LookupError):
        emu.pay(user, 999)


async def test_a_bot_not_asking_for_pre_checkout_queries_never_gets_them(emu, bot, user):
    await bot.get_updates(timeout=0, allowed_updates=["message", "callback_query"])
    query_id = emu.pay(user, (await invoice(bot, user.id)).message_id)
    assert not emu.pre_checkout_queries[query_id].delivered
    assert await bot.get_updates(timeout=0) == []


def test_amounts_read_in_the_currencys_units():
    assert format_amount(2850, "EUR") == "28.50 EUR"
    assert format_amount(5, "USD") == "0.05 USD"
    assert format_amount(1500, "JPY") == "1500 JPY"
    assert format_amount(-90, "EUR") == "-0.90 EUR"


async def test_the_terminal_shows_an_invoice_and_pays_it(emu, bot):
    shop = Shop("Sorry, the group order closed")
    polling = asyncio.create_task(
        shop.dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    stdout = io.StringIO()
    try:
        await run_terminal(
            emu, EmuUser(id=7200, first_name="Ana"),
            stdin=io.StringIO("/start\n:pay\n:pay 2\n:pay\n:pay x\n:help\n:quit\n"),
            stdout=stdout, banner="",
        )  # fmt: skip
    finally:
        await shop.dp.stop_polling()
        await polling
    out = stdout.getvalue()
    assert (
        "── bot #2 ──\n🧾 Rice from Qingtian\nGroup order #12, Milano\n"
        "  Rice 5 kg × 2  25.00 EUR\n  Delivery       3.50 EUR\n  Total          28.50 EUR\n"
        "type :pay to pay (or :pay 2 for this one)\n"
    ) in out
    refused = out.index("✗ payment refused: Sorry, the group order closed")
    accepted = out.index("✓ payment of 28.50 EUR went through (charge emu_charge_")
    assert out.index("paying 28.50 EUR for invoice #2") < refused < accepted
    assert accepted < out.index("Thank you, payment received")
    assert "no invoice to pay" in out  # the third :pay: it is paid
    assert "usage: :pay [M]" in out and ":pay [M]" in out.split("commands:")[1]
    assert len(shop.paid) == 1
    assert not emu.on_pre_checkout_answer  # the hook is removed


async def test_the_terminal_says_when_the_bot_does_not_answer_a_payment(emu, bot):
    dp = Dispatcher()  # no pre_checkout_query handler: the query goes unanswered

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await invoice(message.bot, message.chat.id, reply_markup=pay_keyboard())

    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    stdout = io.StringIO()
    try:
        await run_terminal(
            emu, EmuUser(id=7201, first_name="Bo"),
            stdin=io.StringIO("/start\n#1\n:quit\n"), stdout=stdout, banner="",
        )  # fmt: skip
    finally:
        await dp.stop_polling()
        await polling
    out = stdout.getvalue()
    assert "[1] Pay €28.50 (pay)   [2] Details" in out
    assert "✗ payment failed: the bot did not answer the payment in time" in out


async def test_the_harness_pays_through_the_dispatcher(harness):
    shop = Shop("Sold out", None)
    harness.dp = shop.dp  # a tiny bot in place of the real one
    user = harness.user()
    await harness.send(user, "/start")
    [sent] = harness.invoices(user)

    refused = await harness.pay(user, sent)
    assert (refused.answered, refused.ok, refused.error_message) == (True, False, "Sold out")
    assert refused.update is None and refused.charge_id is None and refused.message is None

    paid = await harness.pay(user)  # the newest unpaid invoice
    assert (paid.answered, paid.ok, paid.error_message) == (True, True, None)
    assert paid.charge_id == shop.paid[0].successful_payment.telegram_payment_charge_id
    assert paid.message.successful_payment == paid.successful_payment
    assert harness.invoices(user, unpaid=True) == []
    assert harness.last(user).text == "Thank you, payment received"

    assert await harness.redeliver(paid) == 1
    assert [m.successful_payment.telegram_payment_charge_id for m in shop.paid] == [
        paid.charge_id
    ] * 2
