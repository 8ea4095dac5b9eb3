"""Turn the terminal into a sandbox user's Telegram chat with the bot.

Lines typed are sent as that user's messages; ``#N`` presses inline button N (1-based) of the
latest bot message with an inline keyboard, ``#N@M`` button N of message M; ``:pay`` pays the
latest unpaid invoice (``:pay M`` invoice message M). Bot messages, edits, deletions, callback
answers and the bot's answers to payments are rendered live from the emulator's hooks.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.sandbox.emulator import (
    BotAPIEmulator,
    EmuMessage,
    EmuPreCheckoutQuery,
    EmuUser,
    button_kind,
    format_amount,
)

HELP = """\
commands:
  text              send a message as the current user
  #N                press button N of the latest keyboard
  #N@M              press button N of message M
  :pay [M]          pay the latest unpaid invoice (or invoice message M); the bot may
                    refuse, and its reason is shown
  :user ID [lang]   switch to another user
  :send PATH [| caption]   send a file as a document: an admin's CSV or XLSX of shipment
                    events, or of products with the caption /import
  :photo PATH [| caption]  send a picture as a photo, e.g. :photo rice.jpg | /photo rice-5kg
  :help             this help
  :quit             leave (Ctrl-D too)"""

_PRESS = re.compile(r"#(\d+)(?:@(\d+))?")

_RESET = "\x1b[0m"
_STYLE = {
    "bold": "\x1b[1m",
    "italic": "\x1b[3m",
    "underline": "\x1b[4m",
    "strikethrough": "\x1b[9m",
    "spoiler": "\x1b[2m",
}
_DIM = "\x1b[2m"
_CYAN = "\x1b[36m"
_YELLOW = "\x1b[33m"


def _utf16_positions(text: str) -> list[int]:
    """UTF-16 offset of every character index, plus the end."""
    positions = [0]
    for char in text:
        positions.append(positions[-1] + (2 if ord(char) > 0xFFFF else 1))
    return positions


def _to_index(positions: list[int], offset: int) -> int:
    for index, position in enumerate(positions):
        if position >= offset:
            return index
    return len(positions) - 1


def render_text(text: str, entities: list[dict[str, Any]], *, color: bool) -> str:
    """Render plain text + Bot API entities for a terminal (ANSI styles when ``color``)."""
    if not text:
        return ""
    positions = _utf16_positions(text)
    styles: list[set[str]] = [set() for _ in text]
    inserts: dict[int, list[str]] = {}
    for entity in entities:
        start = _to_index(positions, entity["offset"])
        end = _to_index(positions, entity["offset"] + entity["length"])
        style = _STYLE.get(entity["type"])
        if style and color:
            for index in range(start, end):
                styles[index].add(style)
        if entity["type"] == "text_link" and entity.get("url") != text[start:end]:
            inserts.setdefault(end, []).append(f" <{entity['url']}>")
    out: list[str] = []
    current: set[str] = set()
    for index in range(len(text) + 1):
        if index in inserts:
            if current:
                out.append(_RESET)
                current = set()
            out.extend(inserts[index])
        if index == len(text):
            break
        if styles[index] != current:
            if current:
                out.append(_RESET)
            out.extend(sorted(styles[index]))
            current = styles[index]
        out.append(text[index])
    if current:
        out.append(_RESET)
    return "".join(out)


def human_size(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


def render_keyboard(message: EmuMessage, *, color: bool) -> list[str]:
    lines = []
    number = 0
    rows = message.reply_markup.get("inline_keyboard", []) if message.reply_markup else []
    for row in rows:
        cells = []
        for button in row:
            number += 1
            label = f"[{number}]"
            if color:
                label = f"{_CYAN}{label}{_RESET}"
            kind = button_kind(button)
            cell = f"{label} {button['text']}"
            if kind == "url":
                cell += f" <{button['url']}>"
            elif kind != "callback_data":
                cell += f" ({kind})"
            cells.append(cell)
        if cells:
            lines.append("   ".join(cells))
    keyboard = message.reply_keyboard
    if keyboard and "keyboard" in keyboard:
        texts = [
            b if isinstance(b, str) else b.get("text", "") for r in keyboard["keyboard"] for b in r
        ]
        lines.append("⌨ " + " | ".join(texts))
    elif keyboard and keyboard.get("remove_keyboard"):
        lines.append("⌨ (keyboard removed)")
    return lines


def render_invoice(message: EmuMessage) -> list[str]:
    """An invoice as Telegram shows it: title, description, each price line and the total."""
    invoice = message.invoice
    if invoice is None:
        return []
    lines = [f"🧾 {invoice.title}", invoice.description]
    width = max(len(price["label"]) for price in invoice.prices)
    for price in invoice.prices:
        amount = format_amount(price["amount"], invoice.currency)
        lines.append(f"  {price['label']:<{width}}  {amount}")
    lines.append(f"  {'Total':<{width}}  {format_amount(invoice.total_amount, invoice.currency)}")
    if invoice.paid:
        lines.append(f"(paid: {invoice.charge_id})")
    else:
        lines.append(f"type :pay to pay (or :pay {message.message_id} for this one)")
    return lines


def render_message(kind: str, message: EmuMessage, *, color: bool) -> str:
    """A bot message event (``new``/``edit``/``delete``) as terminal lines."""
    if kind == "delete":
        header = f"✕ deleted #{message.message_id}"
        return f"{_DIM}{header}{_RESET}" if color else header
    header = (
        f"── bot #{message.message_id} ──" if kind == "new" else f"✎ edited #{message.message_id}"
    )
    lines = [f"{_DIM}{header}{_RESET}" if color else header]
    if message.photo is not None:
        lines.append("[photo]")
    if message.document is not None:
        name, content = message.document
        lines.append(f"[document {name}, {human_size(len(content))}]")
    if message.text is not None:
        lines.append(render_text(message.text, message.entities, color=color))
    elif message.caption:
        lines.append(render_text(message.caption, message.caption_entities, color=color))
    lines.extend(render_invoice(message))
    lines.extend(render_keyboard(message, color=color))
    return "\n".join(lines)


class _Terminal:
    def __init__(
        self,
        emulator: BotAPIEmulator,
        user: EmuUser,
        stdin: TextIO,
        stdout: TextIO,
        idle_timeout: float,
        downloads: Path | None = None,
    ) -> None:
        self.emulator = emulator
        self.user = user
        self.stdin = stdin
        self.stdout = stdout
        self.color = _isatty(stdout)
        self.interactive = _isatty(stdin)
        self.idle_timeout = idle_timeout
        # files the bot sends (exports, charts) are saved here, to open, edit and send back
        self.downloads = downloads or Path.cwd() / "sandbox-files"
        self.watches: set[asyncio.Task[None]] = set()  # payments waiting for the bot's answer

    def write(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def note(self, text: str) -> None:
        self.write(f"{_YELLOW}{text}{_RESET}" if self.color else text)

    def on_message(self, kind: str, message: EmuMessage) -> None:
        if message.chat_id == self.user.id:
            self.write(render_message(kind, message, color=self.color))
            if kind == "new":
                self.save_files(message)
        elif kind == "new":  # a notification to another sandbox user (an agent's alert, say)
            note = f"(to user {message.chat_id}: switch with :user {message.chat_id} to answer it)"
            self.write(f"{_DIM}{note}{_RESET}" if self.color else note)
            self.write(render_message(kind, message, color=self.color))

    def on_answer(self, query_id: str, answer: dict[str, Any]) -> None:
        if answer.get("user_id") != self.user.id:
            return
        if answer.get("text"):
            self.write(("⚠ " if answer.get("show_alert") else "ℹ ") + answer["text"])
        if answer.get("url"):
            self.write(f"↗ {answer['url']}")

    def on_pre_checkout(self, query: EmuPreCheckoutQuery) -> None:
        if query.user_id != self.user.id:
            return
        amount = format_amount(query.total_amount, query.currency)
        if query.ok:
            self.write(f"✓ payment of {amount} went through (charge {query.charge_id})")
        else:
            self.write(f"✗ payment refused: {query.error_message}")

    def pay(self, spec: list[str]) -> str | None:
        """``:pay [M]``: pay invoice message M, or the latest unpaid one; the query id."""
        if spec and not spec[0].lstrip("#").isdigit():
            self.note("usage: :pay [M]")
            return None
        if spec:
            message_id = int(spec[0].lstrip("#"))
        else:
            unpaid = self.emulator.invoices(self.user.id, unpaid=True)
            if not unpaid:
                self.note("no invoice to pay")
                return None
            message_id = unpaid[-1].message_id
        return self.pay_message(message_id)

    def pay_message(self, message_id: int) -> str | None:
        try:
            query_id = self.emulator.pay(self.user, message_id)
        except (LookupError, ValueError, NotImplementedError) as error:
            self.note(str(error))
            return None
        message = self.emulator.message(self.user.id, message_id)
        if message is not None and message.invoice is not None:
            amount = format_amount(message.invoice.total_amount, message.invoice.currency)
            self.note(f"paying {amount} for invoice #{message_id}…")
        return query_id

    async def watch_payment(self, query_id: str) -> None:
        """Telegram tells the user a payment failed when the bot does not answer in time."""
        if self.interactive:
            await asyncio.sleep(self.emulator.pre_checkout_timeout or self.idle_timeout)
        else:
            await self.settle()
        query = self.emulator.pre_checkout_queries.get(query_id)
        if query is not None and not query.answered:
            self.note("✗ payment failed: the bot did not answer the payment in time")

    async def settle(self) -> None:
        """In scripted (non-TTY) mode let the bot finish reacting before the next line."""
        if self.interactive:
            return
        try:
            await self.emulator.wait_idle(timeout=self.idle_timeout)
        except TimeoutError:
            self.note("(bot did not answer in time)")

    def keyboard_message(self, message_id: int | None) -> EmuMessage | None:
        if message_id is not None:
            message = self.emulator.message(self.user.id, message_id)
            return message if message is not None and not message.deleted else None
        for message in reversed(self.emulator.bot_messages(self.user.id)):
            if message.inline_buttons:
                return message
        return None

    def press(self, number: int, message_id: int | None) -> str | None:
        """Press a button; for an invoice's Pay button, the pre-checkout query id."""
        message = self.keyboard_message(message_id)
        if message is None:
            self.note("no such message" if message_id is not None else "no keyboard to press")
            return None
        buttons = message.inline_buttons
        if not 1 <= number <= len(buttons):
            self.note(f"no button {number} (message #{message.message_id} has {len(buttons)})")
            return None
        button = buttons[number - 1]
        kind = button_kind(button)
        if kind == "callback_data":
            self.emulator.press(self.user, message.message_id, number - 1)
        elif kind == "pay" and message.invoice is not None:
            return self.pay_message(message.message_id)
        elif kind == "url":
            self.note(f"opens {button['url']}")
        else:
            self.note(f"{kind} buttons are not supported here")
        return None

    def switch_user(self, args: list[str]) -> None:
        if not args or not args[0].lstrip("-").isdigit():
            self.note("usage: :user ID [lang]")
            return
        user_id = int(args[0])
        language = args[1] if len(args) > 1 else None
        known = self.emulator.users.get(user_id)
        if known is not None and (language is None or known.language_code == language):
            self.user = known
        else:
            first_name = known.first_name if known else f"User {user_id}"
            self.user = EmuUser(id=user_id, first_name=first_name, language_code=language)
        self.note(f"now user {user_id}" + (f" ({language})" if language else ""))

    def save_files(self, message: EmuMessage) -> None:
        """A document or photo from the bot, written to the downloads folder."""
        found: tuple[str, bytes] | None = None
        if message.document is not None:
            found = message.document
        elif message.photo is not None:
            file = self.emulator.files.get(message.photo)
            if file is not None and file.content:
                found = (f"photo-{message.message_id}.png", file.content)
        if found is None or not found[1]:
            return
        name = Path(found[0]).name or f"file-{message.message_id}"
        try:
            self.downloads.mkdir(parents=True, exist_ok=True)
            target = self.downloads / name
            target.write_bytes(found[1])
        except OSError as error:
            self.note(f"could not save {name}: {error.strerror}")
            return
        self.note(f"saved as {target}")

    def _read(self, usage: str, spec: str) -> tuple[Path, bytes, str | None] | None:
        path, _bar, typed = spec.partition("|")
        path, caption = path.strip(), typed.strip() or None
        if not path:
            self.note(usage)
            return None
        file = Path(path).expanduser()
        try:
            content = file.read_bytes()
        except OSError as error:
            self.note(f"cannot read {path}: {error.strerror}")
            return None
        if not content:
            self.note(f"{path} is empty")
            return None
        return file, content, caption

    def send_file(self, spec: str) -> None:
        found = self._read("usage: :send PATH [| caption]", spec)
        if found is not None:
            file, content, caption = found
            self.emulator.send_document(self.user, file.name, content, caption=caption)

    def send_photo(self, spec: str) -> None:
        found = self._read("usage: :photo PATH [| caption]", spec)
        if found is not None:
            file, content, caption = found
            self.emulator.send_photo(self.user, content, caption=caption, filename=file.name)

    async def handle(self, line: str) -> bool:
        """Handle one input line; False means quit."""
        if not line:
            return True
        if line.startswith(":"):
            command, *args = line[1:].split() or [""]
            if command in ("quit", "q", "exit"):
                return False
            if command == "help":
                self.write(HELP)
            elif command == "user":
                self.switch_user(args)
            elif command == "send":
                self.send_file(line[1:].partition(" ")[2])
                await self.settle()
            elif command == "photo":
                self.send_photo(line[1:].partition(" ")[2])
                await self.settle()
            elif command == "pay":
                query_id = self.pay(args)
                if query_id is not None:
                    await self._watch(query_id)
            else:
                self.note(f"unknown command :{command} (see :help)")
            return True
        match = _PRESS.fullmatch(line)
        if match:
            query_id = self.press(int(match[1]), int(match[2]) if match[2] else None)
            if query_id is not None:
                await self._watch(query_id)
                return True
        else:
            if not self.interactive:
                self.write(f"> {line}")
            self.emulator.send_message(self.user, line)
        await self.settle()
        return True

    async def _watch(self, query_id: str) -> None:
        if self.interactive:  # keep reading lines meanwhile
            task = asyncio.create_task(self.watch_payment(query_id))
            self.watches.add(task)
            task.add_done_callback(self.watches.discard)
        else:
            await self.watch_payment(query_id)

    async def run(self, banner: str) -> None:
        self.emulator.on_bot_message.append(self.on_message)
        self.emulator.on_callback_answer.append(self.on_answer)
        self.emulator.on_pre_checkout_answer.append(self.on_pre_checkout)
        try:
            if banner:
                self.write(banner)
            if self.interactive:
                self.note(f"chatting as user {self.user.id}; :help for commands")
            while True:
                raw = await asyncio.to_thread(self.stdin.readline)
                if not raw:  # EOF
                    await self.settle()
                    return
                if not await self.handle(raw.rstrip("\r\n").strip()):
                    return
        finally:
            for task in list(self.watches):
                task.cancel()
            self.emulator.on_bot_message.remove(self.on_message)
            self.emulator.on_callback_answer.remove(self.on_answer)
            self.emulator.on_pre_checkout_answer.remove(self.on_pre_checkout)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


async def run_terminal(
    emulator: BotAPIEmulator,
    user: EmuUser,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    banner: str = "",
    idle_timeout: float = 5.0,
    downloads: Path | None = None,
) -> None:
    """Chat with the bot as ``user`` until EOF or ``:quit``.

    When stdin is not a TTY (a script or pipe), typed lines are echoed and each line waits until
    the bot is idle (at most ``idle_timeout`` seconds) before the next one is read."""
    terminal = _Terminal(
        emulator,
        user,
        stdin if stdin is not None else sys.stdin,
        stdout if stdout is not None else sys.stdout,
        idle_timeout,
        downloads,
    )
    await terminal.run(banner)
