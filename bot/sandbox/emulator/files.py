r"""Files: uploads, ``file_id``\ s and URLs turned into photo sizes and documents; ``getFile``."""

from __future__ import annotations

import copy
import mimetypes
import re
import secrets
from typing import Any

from bot.sandbox.emulator.base import EmulatorBase
from bot.sandbox.emulator.errors import _bad
from bot.sandbox.emulator.params import _Params
from bot.sandbox.emulator.state import EmuFile, EmuUpload


class FilesMixin(EmulatorBase):
    """Files sent by the bot and ``getFile``."""

    def _new_file(self, kind: str, **kwargs: Any) -> EmuFile:
        self._file_counter += 1
        unique = f"AQAD{self._file_counter:06d}{secrets.token_hex(4)}"
        prefix = {"photo": "AgACAgIAAxkDAAI", "document": "BQACAgIAAxkDAAI"}.get(kind, "CAACAgI")
        file_id = f"{prefix}{self._file_counter:05d}{secrets.token_urlsafe(24)}"
        file = EmuFile(file_id=file_id, file_unique_id=unique, kind=kind, **kwargs)
        self.files[file_id] = file
        return file

    def _photo_sizes(self, source: EmuUpload | str) -> list[dict[str, Any]]:
        if isinstance(source, str):
            known = self.files.get(source)
            if known is not None and known.kind == "photo":
                # reuse the sizes of the photo that file_id belongs to
                for chat in self.chats.values():
                    for message in chat.history:
                        if any(s["file_id"] == source for s in message.photo_sizes):
                            return copy.deepcopy(message.photo_sizes)
            content, name = None, None
            if not _is_url(source):
                if known is None and not _looks_like_file_id(source):
                    raise _bad("wrong file identifier/HTTP URL specified")
        else:
            if not source.content:
                raise _bad("file must be non-empty")
            content, name = source.content, source.filename
        sizes = []
        for width, height in ((90, 67), (320, 240), (800, 600)):
            file = self._new_file(
                "photo",
                file_name=name,
                content=content,
                mime_type="image/jpeg",
                width=width,
                height=height,
            )
            size: dict[str, Any] = {
                "file_id": file.file_id,
                "file_unique_id": file.file_unique_id,
                "width": width,
                "height": height,
            }
            if content is not None:
                size["file_size"] = len(content)
            sizes.append(size)
        return sizes

    def _document_file(self, source: EmuUpload | str) -> EmuFile:
        if isinstance(source, str):
            known = self.files.get(source)
            if known is not None:
                return known
            if _is_url(source):
                name = source.rstrip("/").rsplit("/", 1)[-1] or "file"
                return self._new_file(
                    "document",
                    file_name=name,
                    content=b"",
                    mime_type=mimetypes.guess_type(name)[0],
                )
            if not _looks_like_file_id(source):
                raise _bad("wrong file identifier/HTTP URL specified")
            file = EmuFile(source, source[-16:], "document", file_name="document", content=b"")
            self.files[source] = file
            return file
        if not source.content:
            raise _bad("file must be non-empty")
        mime = mimetypes.guess_type(source.filename)[0] or source.content_type
        return self._new_file(
            "document", file_name=source.filename, content=source.content, mime_type=mime
        )

    # ---------------------------------------------------------------- API methods

    async def _api_get_file(self, params: _Params) -> dict[str, Any]:
        file = self.files.get(params.get_str("file_id") or "")
        if file is None:
            raise _bad("invalid file_id")
        data: dict[str, Any] = {"file_id": file.file_id, "file_unique_id": file.file_unique_id}
        if file.content is not None:
            suffix = ""
            if file.file_name and "." in file.file_name:
                suffix = "." + file.file_name.rsplit(".", 1)[1]
            folder = "photos" if file.kind == "photo" else "documents"
            data["file_size"] = len(file.content)
            data["file_path"] = f"{folder}/{file.file_id}{suffix}"
        return data


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _looks_like_file_id(value: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_\-]{16,}", value))
