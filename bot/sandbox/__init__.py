"""Developer sandbox: a local Telegram Bot API emulator and a terminal chat front-end."""

from bot.sandbox.emulator import BotAPIEmulator, EmuChat, EmuMessage, EmuUser

__all__ = ["BotAPIEmulator", "EmuChat", "EmuMessage", "EmuUser"]
