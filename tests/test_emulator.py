"""The Bot API emulator, driven by a real aiogram Bot over HTTP, and the terminal front-end."""

from __future__ import annotations

import asyncio
import io
import time

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.methods import GetMe
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.sandbox.emulator import BotAPIEmulator, EmuUser, parse_html
from bot.sandbox.terminal import run_terminal

TOKEN = "123456:SANDBOX"


class _FastSession(AiohttpSession):
    """aiogram's session sleeps 250 ms on close (for TLS); nothing to wait for on loopback."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


@pytest.fixture
async def emu():
    async with BotAPIEmulator(token=TOKEN) as emulator:
        yield emulator


def make_bot(emu: BotAPIEmulator, token: str = TOKEN) -> Bot:
    return Bot(
        token,
        session=_FastSession(api=TelegramAPIServer.from_base(emu.base_url)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


@pytest.fixture
async def bot(emu):
    bot = make_bot(emu)
    yield bot
    await bot.session.close()


@pytest.fixture
def user(emu) -> EmuUser:
    user = EmuUser(id=7001, first_name="Lin", username="lin_w", language_code="it")
    emu.send_message(user, "/start")  # the user has written to the bot
    return user


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
            for row in rows
        ]
    )


async def test_get_me(emu, bot):
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (
        emu.bot_id,
        "QingtianBridgeBot",
        "Qingtian Bridge",
        True,
    )
    assert [r.method for r in emu.requests] == ["getMe"]


async def test_wrong_token_and_unknown_method(emu, bot):
    with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
        await make_bot(emu, "999:WRONG")(GetMe())
    bogus = type("Bogus", (GetMe,), {"__api_method__": "getMee"})
    with pytest.raises(TelegramNotFound, match="method not found"):
        await bot(bogus())


async def test_send_message_stored_with_html(emu, bot, user):
    sent = await bot.send_message(user.id, "<b>Rice</b> &amp; <i>tea</i> &lt;3")
    assert sent.text == "Rice & tea <3"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 4),
        ("italic", 7, 3),
    ]
    stored = emu.last_bot_message(user.id)
    assert stored.message_id == sent.message_id == 2  # the user's /start is #1
    assert stored.html == "<b>Rice</b> &amp; <i>tea</i> &lt;3"
    assert stored.text == "Rice & tea <3"
    assert stored.from_bot
    first = emu.messages(user.id)[0]
    assert not first.from_bot and first.text == "/start"
    assert emu.calls("sendMessage")[0].params["chat_id"] == str(user.id)


async def test_user_message_has_command_entity(emu, user):
    data = emu.send_message(user, "/order@QingtianBridgeBot now")
    assert data["entities"] == [{"type": "bot_command", "offset": 0, "length": 24}]
    assert data["from"]["language_code"] == "it"
    assert "entities" not in emu.send_message(user, "hello there")


async def test_long_polling_wakes_on_new_message(emu, bot):
    newcomer = EmuUser(id=7002, first_name="Mei")

    async def later():
        await asyncio.sleep(0.1)
        emu.send_message(newcomer, "ciao")

    started = time.monotonic()
    task = asyncio.create_task(later())
    updates = await bot.get_updates(timeout=1)
    elapsed = time.monotonic() - started
    await task
    assert 0.08 < elapsed < 0.8  # it waited, and returned as soon as the message came
    assert [u.message.text for u in updates] == ["ciao"]
    assert updates[0].message.from_user.id == newcomer.id
    assert emu.pending_updates() == 1
    # confirming by offset drops it
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == []
    assert emu.pending_updates() == 0


async def test_callback_press_and_answer(emu, bot, user):
    await bot.get_updates(offset=-1)  # forget the /start
    sent = await bot.send_message(
        user.id, "Pick", reply_markup=keyboard([("🍚 Rice", "p:rice"), ("🍵 Tea", "p:tea")])
    )
    assert emu.last_bot_message(user.id).buttons == [[("🍚 Rice", "p:rice"), ("🍵 Tea", "p:tea")]]
    query_id = emu.press(user, sent.message_id, 1)
    forged = emu.press_button(user, sent.message_id, "admin:wipe")
    updates = await bot.get_updates(offset=-2)
    queries = [u.callback_query for u in updates]
    assert [(q.id, q.data) for q in queries] == [(query_id, "p:tea"), (forged, "admin:wipe")]
    assert queries[0].message.message_id == sent.message_id
    assert queries[0].from_user.id == user.id and queries[0].chat_instance

    assert await bot.answer_callback_query(query_id, text="Tea added", show_alert=True)
    assert emu.callback_answers[query_id]["text"] == "Tea added"
    assert emu.callback_answers[query_id]["show_alert"] is True
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(forged, text="x" * 201)
    with pytest.raises(TelegramBadRequest, match="query ID is invalid"):
        await bot.answer_callback_query("12345")


async def test_html_validation(emu, bot, user):
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(user.id, "<b>&")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(user.id, "<b>Tom & Jerry</b>")  # strict: bare &
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "" at byte offset 2'):
        await bot.send_message(user.id, "1 < 2")
    with pytest.raises(TelegramBadRequest, match=r'expected "</i>", found "</b>"'):
        await bot.send_message(user.id, "<b><i>x</b></i>")
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "div"'):
        await bot.send_message(user.id, "<div>x</div>")
    ok = await bot.send_message(user.id, "&lt;b&gt;&amp;")
    assert ok.text == "<b>&"
    assert len(emu.bot_messages(user.id)) == 1
    # Telegram itself keeps a bare "&"
    emu.strict_html = False
    assert (await bot.send_message(user.id, "Tom & Jerry")).text == "Tom & Jerry"


def test_parse_html_details():
    text, entities = parse_html(
        '<a href="https://x.io/?a=1&amp;b=2">s</a> <pre><code class="language-py">1</code></pre>'
        ' <span class="tg-spoiler">z</span> <blockquote expandable>q</blockquote> &#x1F35A;'
    )
    assert text == "s 1 z q 🍚"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 1, "url": "https://x.io/?a=1&b=2"},
        {"type": "pre", "offset": 2, "length": 1, "language": "py"},
        {"type": "spoiler", "offset": 4, "length": 1},
        {"type": "expandable_blockquote", "offset": 6, "length": 1},
    ]
    _, entities = parse_html("🍚<b>x</b>")  # offsets are UTF-16
    assert entities == [{"type": "bold", "offset": 2, "length": 1}]


async def test_edit_errors_and_keyboard_removal(emu, bot, user):
    markup = keyboard([("Again", "again")])
    sent = await bot.send_message(user.id, "<b>Cart</b>", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="message is not modified: specified new"):
        await bot.edit_message_text(
            "<b>Cart</b>", chat_id=user.id, message_id=sent.message_id, reply_markup=markup
        )
    # the same plain text with other formatting is a modification
    await bot.edit_message_text(
        "Cart", chat_id=user.id, message_id=sent.message_id, reply_markup=markup
    )
    # no reply_markup: the keyboard goes away, as on Telegram
    await bot.edit_message_text("Cart (2)", chat_id=user.id, message_id=sent.message_id)
    stored = emu.message(user.id, sent.message_id)
    assert (stored.text, stored.edited, stored.reply_markup) == ("Cart (2)", 2, None)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=999)
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=user.id, message_id=sent.message_id, caption="c")
    photo = await bot.send_photo(user.id, BufferedInputFile(b"\x89PNG", "p.png"), caption="Tea")
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=photo.message_id)
    await bot.edit_message_caption(chat_id=user.id, message_id=photo.message_id, caption="Tè")
    assert emu.message(user.id, photo.message_id).caption == "Tè"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=user.id, message_id=photo.message_id)

    assert await bot.delete_message(user.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(user.id, sent.message_id)
    assert sent.message_id not in [m.message_id for m in emu.messages(user.id)]
    assert emu.messages(user.id, include_deleted=True)[1].deleted


async def test_callback_data_and_button_checks(emu, bot, user):
    await bot.send_message(user.id, "ok", reply_markup=keyboard([("A", "x" * 64)]))
    await bot.send_message(user.id, "ok", reply_markup=keyboard([("A", "й" * 32)]))  # 64 bytes
    for data in ("x" * 65, "й" * 33):
        with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
            await bot.send_message(user.id, "no", reply_markup=keyboard([("A", data)]))
    bare = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="A")]])
    with pytest.raises(TelegramBadRequest, match="can't parse inline keyboard button"):
        await bot.send_message(user.id, "no", reply_markup=bare)
    both = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="A", url="https://a.io", callback_data="a")]]
    )
    with pytest.raises(TelegramBadRequest, match="can't parse inline keyboard button"):
        await bot.send_message(user.id, "no", reply_markup=both)
    assert len(emu.bot_messages(user.id)) == 2


async def test_length_limits(emu, bot, user):
    await bot.send_message(user.id, "<b>" + "a" * 4096 + "</b>")  # tags don't count
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(user.id, "a" * 4097)
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(user.id, "<b> </b>")
    await bot.send_photo(user.id, "https://example.com/tea.jpg", caption="c" * 1024)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(user.id, "https://example.com/tea.jpg", caption="c" * 1025)
    assert [m.kind for m in emu.bot_messages(user.id)] == ["text", "photo"]


async def test_injected_faults(emu, bot, user):
    emu.inject(method="sendMessage", error_code=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(user.id, "hi")
    assert caught.value.retry_after == 3
    assert "retry after 3" in caught.value.message
    await bot.send_message(user.id, "hi")  # only once
    emu.inject(chat_id=user.id, error_code=502, times=2)
    await bot.get_me()  # other chats/methods are untouched
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Bad Gateway"):
            await bot.send_message(user.id, "hi")
    await bot.send_message(user.id, "hi")
    assert [m.text for m in emu.bot_messages(user.id)] == ["hi", "hi"]
    assert len(emu.calls("sendMessage")) == 5


async def test_forbidden(emu, bot, user):
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation"):
        await bot.send_message(424242, "hello?")
    emu.block(user)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(user.id, "hello?")
    kinds = [u.event_type for u in await bot.get_updates()]
    assert kinds == ["message", "my_chat_member"]
    emu.send_message(user, "/start")  # "Restart" unblocks
    await bot.send_message(user.id, "welcome back")


async def test_send_document_multipart(emu, bot, user):
    csv = b"order,total\n1,12.50\n"
    sent = await bot.send_document(
        user.id, BufferedInputFile(csv, "orders.csv"), caption="<i>Export</i>"
    )
    assert sent.document.file_name == "orders.csv" and sent.document.file_size == len(csv)
    stored = emu.last_bot_message(user.id)
    assert stored.document == ("orders.csv", csv)
    assert (stored.caption, stored.caption_html) == ("Export", "<i>Export</i>")
    logged = emu.calls("sendDocument")[0].params["document"]
    assert (logged.filename, logged.content) == ("orders.csv", csv)
    # resend by file_id
    again = await bot.send_document(user.id, sent.document.file_id)
    assert emu.last_bot_message(user.id).document == ("orders.csv", csv)
    assert again.document.file_id == sent.document.file_id
    photo = await bot.send_photo(user.id, BufferedInputFile(b"jpeg", "tea.jpg"))
    resent = await bot.send_photo(user.id, photo.photo[-1].file_id)
    assert resent.photo[-1].file_id == photo.photo[-1].file_id
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(user.id, "not a file id")


async def test_commands_per_language(emu, bot):
    en = [
        BotCommand(command="start", description="Start"),
        BotCommand(command="cart", description="Cart"),
    ]
    zh = [BotCommand(command="start", description="开始")]
    await bot.set_my_commands(en)
    await bot.set_my_commands(zh, language_code="zh")
    await bot.set_my_commands(zh, scope=BotCommandScopeAllPrivateChats(), language_code="zh")
    assert [c.description for c in await bot.get_my_commands(language_code="zh")] == ["开始"]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "cart"]
    assert await bot.get_my_commands(language_code="it") == []
    assert emu.get_commands(language_code="zh") == [{"command": "start", "description": "开始"}]
    assert emu.get_commands({"type": "all_private_chats"}, "zh") is not None
    assert len(emu.commands) == 3
    await bot.delete_my_commands(language_code="zh")
    assert emu.get_commands(language_code="zh") is None
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start Now", description="x")])


async def test_terminal_chat(emu, bot):
    dp = Dispatcher()
    chosen: list[str] = []

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            "<b>Menu</b>",
            reply_markup=keyboard([("🍚 Rice", "rice"), ("🍵 Tea", "tea")], [("« Back", "back")]),
        )

    @dp.callback_query(F.data)
    async def pick(query: CallbackQuery) -> None:
        chosen.append(query.data)
        await query.answer(f"{query.data} chosen")
        await query.message.edit_text(f"You chose <i>{query.data}</i>")

    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    stdout = io.StringIO()
    try:
        await run_terminal(
            emu,
            EmuUser(id=7100, first_name="Ana"),
            stdin=io.StringIO("/start\n#9\n#1\nhello\n:quit\nnever read\n"),
            stdout=stdout,
            banner="sandbox",
        )
    finally:
        await dp.stop_polling()
        await polling
    out = stdout.getvalue()
    assert chosen == ["rice"]
    assert out.startswith("sandbox\n> /start\n── bot #2 ──\nMenu\n")
    assert "[1] 🍚 Rice   [2] 🍵 Tea\n[3] « Back\n" in out
    assert "ℹ rice chosen" in out
    assert "✎ edited #2\nYou chose rice\n" in out
    assert "no button 9" in out
    assert "never read" not in out and "> hello" in out
    assert "\x1b[" not in out  # no colours when not a TTY
    assert not emu.on_bot_message and not emu.on_callback_answer  # hooks removed


async def test_terminal_sends_a_file_the_bot_can_download(emu, bot, tmp_path):
    dp = Dispatcher()
    got: list[tuple[str, bytes]] = []

    @dp.message(F.document)
    async def on_file(message: Message) -> None:
        buffer = io.BytesIO()
        await message.bot.download(message.document, destination=buffer)
        got.append((message.document.file_name, buffer.getvalue()))
        await message.answer("got it")

    path = tmp_path / "events.csv"
    path.write_bytes(b"shipment,event,time\n1,packed,2027-01-02\n")
    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    stdout = io.StringIO()
    try:
        await run_terminal(
            emu, EmuUser(id=7101, first_name="Li"),
            stdin=io.StringIO(f":send {path}\n:send /nonexistent.csv\n:quit\n"),
            stdout=stdout, banner="",
        )  # fmt: skip
    finally:
        await dp.stop_polling()
        await polling
    assert got == [("events.csv", path.read_bytes())]
    out = stdout.getvalue()
    assert "got it" in out and "cannot read /nonexistent.csv" in out


async def test_the_terminal_sends_photos_and_captions_and_saves_what_the_bot_sends(
    emu, bot, tmp_path
):
    """`:photo PATH | caption` and `:send PATH | caption` as an admin would (/photo SKU,
    /import), and the bot's files (an export, a chart) land in a folder to open."""
    from aiogram import Router
    from aiogram.types import BufferedInputFile

    dp = Dispatcher()
    router = Router()
    seen: list[tuple[str, str | None]] = []

    @router.message(F.photo)
    async def on_photo(message: Message) -> None:
        seen.append(("photo", message.caption))
        await message.answer_photo(message.photo[-1].file_id, caption="your photo")

    @router.message(F.document)
    async def on_document(message: Message) -> None:
        seen.append((message.document.file_name, message.caption))
        await message.answer_document(BufferedInputFile(b"sku,name\n", filename="products.csv"))

    dp.include_router(router)
    picture = tmp_path / "rice.jpg"
    picture.write_bytes(b"\xff\xd8\xff fake jpeg")
    table = tmp_path / "my products.csv"
    table.write_bytes(b"sku\n")
    polling = asyncio.create_task(
        dp.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    stdout = io.StringIO()
    downloads = tmp_path / "got"
    try:
        await run_terminal(
            emu, EmuUser(id=7102, first_name="Wei"),
            stdin=io.StringIO(
                f":photo {picture} | /photo rice-5kg\n:send {table} | /import\n:photo\n:quit\n"
            ),
            stdout=stdout, banner="", downloads=downloads,
        )  # fmt: skip
    finally:
        await dp.stop_polling()
        await polling
    assert seen == [("photo", "/photo rice-5kg"), ("my products.csv", "/import")]
    out = stdout.getvalue()
    assert (downloads / "products.csv").read_bytes() == b"sku,name\n"
    assert f"saved as {downloads / 'products.csv'}" in out
    assert "usage: :photo PATH" in out
