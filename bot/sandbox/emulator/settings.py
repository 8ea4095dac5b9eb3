"""The bot's settings and info: ``getMe``, commands, the menu button, name and descriptions,
``getChat``."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from bot.sandbox.emulator.base import EmulatorBase
from bot.sandbox.emulator.errors import _JSON_ERRORS, _bad
from bot.sandbox.emulator.params import _Params

_COMMAND_SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}


class SettingsMixin(EmulatorBase):
    """getMe, *MyCommands, *ChatMenuButton, getChat, *MyName/Description/ShortDescription."""

    @staticmethod
    def _scope_key(scope: Any) -> str:
        return json.dumps(scope or {"type": "default"}, sort_keys=True, separators=(",", ":"))

    # ---------------------------------------------------------------- API methods

    async def _api_get_me(self, params: _Params) -> dict[str, Any]:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _commands_key(self, params: _Params) -> tuple[str, str]:
        scope = params.get_json("scope")
        if scope is not None:
            if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
                raise _bad("unsupported bot command scope type")
        language = params.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("invalid language code specified")
        return self._scope_key(scope), language

    async def _api_set_my_commands(self, params: _Params) -> bool:
        commands = params.get_json("commands")
        if commands is None:
            commands = []
        if not isinstance(commands, list):
            raise _bad(_JSON_ERRORS["commands"])
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        cleaned = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad("BOT_COMMAND_INVALID")
            command, description = item.get("command"), item.get("description")
            if not isinstance(command, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        key = self._commands_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    async def _api_get_my_commands(self, params: _Params) -> list[dict[str, str]]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    async def _api_delete_my_commands(self, params: _Params) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _api_set_chat_menu_button(self, params: _Params) -> bool:
        chat_id = params.get_int("chat_id", error="chat not found")
        if chat_id is not None and chat_id not in self.chats:
            raise _bad("chat not found")
        button = params.get_json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise _bad("unsupported menu button type")
        self.menu_buttons[chat_id] = button
        return True

    async def _api_get_chat_menu_button(self, params: _Params) -> dict[str, Any]:
        chat_id = params.get_int("chat_id", error="chat not found")
        button = self.menu_buttons.get(chat_id) or self.menu_buttons.get(None)
        if not button or button.get("type") == "default":
            return {"type": "commands"}
        return copy.deepcopy(button)

    async def _api_get_chat(self, params: _Params) -> dict[str, Any]:
        chat = self.chats.get(params.get_int("chat_id", error="chat not found") or 0)
        if chat is None:
            raise _bad("chat not found")
        return {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _bot_text_get(self, kind: str, params: _Params) -> str:
        language = params.get_str("language_code") or ""
        return self.bot_texts.get((kind, language)) or self.bot_texts.get((kind, ""), "")

    def _bot_text_set(self, kind: str, params: _Params, limit: int) -> bool:
        value = params.get_str(kind) or ""
        if len(value) > limit:
            raise _bad(f"bot {kind.replace('_', ' ')} is too long")
        self.bot_texts[(kind, params.get_str("language_code") or "")] = value
        return True

    async def _api_set_my_name(self, params: _Params) -> bool:
        return self._bot_text_set("name", params, 64)

    async def _api_get_my_name(self, params: _Params) -> dict[str, str]:
        return {"name": self._bot_text_get("name", params) or self.bot_first_name}

    async def _api_set_my_description(self, params: _Params) -> bool:
        return self._bot_text_set("description", params, 512)

    async def _api_get_my_description(self, params: _Params) -> dict[str, str]:
        return {"description": self._bot_text_get("description", params)}

    async def _api_set_my_short_description(self, params: _Params) -> bool:
        return self._bot_text_set("short_description", params, 120)

    async def _api_get_my_short_description(self, params: _Params) -> dict[str, str]:
        return {"short_description": self._bot_text_get("short_description", params)}
