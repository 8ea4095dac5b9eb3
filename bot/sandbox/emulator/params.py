"""A request's parameters, whatever encoding they arrived in (query, form, multipart, JSON)."""

from __future__ import annotations

import json
from typing import Any

from bot.sandbox.emulator.errors import _JSON_ERRORS, _bad
from bot.sandbox.emulator.state import EmuUpload

# Parameters that arrive JSON-serialised in form bodies.
_JSON_KEYS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "media",
    "commands",
    "scope",
    "link_preview_options",
    "reply_parameters",
    "menu_button",
    "allowed_updates",
    "rights",
    "message_ids",
    "prices",
    "suggested_tip_amounts",
}


class _Params:
    """Typed access to a request's parameters, whatever encoding they arrived in."""

    def __init__(self, data: dict[str, Any], files: dict[str, EmuUpload]):
        self.data = data
        self.files = files

    def has(self, key: str) -> bool:
        value = self.data.get(key)
        return value is not None and value != ""

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def get_str(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def get_int(
        self, key: str, default: int | None = None, *, error: str | None = None
    ) -> int | None:
        value = self.data.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _bad(error or f"invalid {key} specified") from None

    def get_bool(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes")

    def get_json(self, key: str) -> Any:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise _bad(_JSON_ERRORS.get(key, f"can't parse {key} JSON object")) from None
        return value

    def file(self, key: str) -> EmuUpload | str | None:
        """A file parameter: an upload (direct or ``attach://name``), or a file_id/URL string."""
        if key in self.files:
            return self.files[key]
        value = self.get_str(key)
        if not value:
            return None
        return self.attachment(value)

    def attachment(self, value: str) -> EmuUpload | str:
        if value.startswith("attach://"):
            name = value[len("attach://") :]
            if name not in self.files:
                raise _bad(f"file {name!r} wasn't found in the request")  # pragma: no cover
            return self.files[name]
        return value

    def logged(self) -> dict[str, Any]:
        """Parameters for the request log: JSON fields decoded, ``attach://`` resolved."""
        attached = set()
        result: dict[str, Any] = {}
        for key, value in self.data.items():
            if isinstance(value, str) and key in _JSON_KEYS:
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            elif isinstance(value, str) and value.startswith("attach://"):
                name = value[len("attach://") :]
                if name in self.files:
                    attached.add(name)
                    value = self.files[name]
            result[key] = value
        for name, upload in self.files.items():
            if name not in attached and name not in result:
                result[name] = upload
        return result
