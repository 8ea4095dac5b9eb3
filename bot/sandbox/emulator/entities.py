"""Telegram HTML (a port of TDLib's ``parse_html``) and the entities of users' plain text."""

from __future__ import annotations

import re
from typing import Any


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; the message is TDLib's error text."""


_SUPPORTED_TAGS = {
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
}
_SIMPLE_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_SPACE = " \t\r\n\v\0"
_HEX = "0123456789abcdefABCDEF"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_html_entity(src: str, pos: int, strict: bool) -> tuple[str | None, int]:
    """Decode the character reference starting at ``src[pos] == "&"`` like TDLib does.

    Returns ``(char, end)`` or ``(None, pos)`` when it is not a supported reference."""
    n = len(src)
    end = pos + 1
    if end < n and src[end] == "#":
        end += 1
        code = 0
        if end < n and src[end] == "x":
            end += 1
            while end < n and src[end] in _HEX:
                code = code * 16 + int(src[end], 16)
                end += 1
                if code >= 0x10FFFF:
                    return None, pos
        else:
            while end < n and "0" <= src[end] <= "9":
                code = code * 10 + ord(src[end]) - 48
                end += 1
                if code >= 0x10FFFF:
                    return None, pos
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, pos
        char = chr(code)
    else:
        while end < n and src[end].isascii() and src[end].isalpha():
            end += 1
        decoded = _NAMED_ENTITIES.get(src[pos + 1 : end])
        if decoded is None:
            return None, pos
        char = decoded
    if end < n and src[end] == ";":
        end += 1
    elif strict:
        return None, pos
    return char, end


def parse_html(src: str, *, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into ``(plain_text, entities)``; offsets are UTF-16.

    Raises :class:`HtmlParseError` with TDLib's wording. With ``strict`` a bare ``&`` is an
    error too (Telegram keeps it literally)."""
    n = len(src)

    def at(i: int) -> str:
        return src[i] if i < n else "\0"

    def offset(i: int) -> int:
        return len(src[:i].encode("utf-8"))

    def bare_ampersand(i: int) -> HtmlParseError:
        return HtmlParseError(
            f'Unsupported HTML entity at byte offset {offset(i)}; escape "&" as "&amp;"'
        )

    out: list[str] = []
    u16 = 0
    stack: list[tuple[str, str, int, bool]] = []  # tag, argument, utf16 start, expandable
    entities: list[dict[str, Any]] = []
    i = 0
    while i < n:
        c = src[i]
        if c == "&":
            char, end = _decode_html_entity(src, i, strict)
            if char is not None:
                out.append(char)
                u16 += utf16_len(char)
                i = end
                continue
            if strict:
                raise bare_ampersand(i)
        if c != "<":
            out.append(c)
            u16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            name_begin = i
            while at(i) not in _HTML_SPACE and at(i) != ">":
                i += 1
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
            tag = src[name_begin:i].lower()
            if tag not in _SUPPORTED_TAGS:
                raise HtmlParseError(
                    f'Unsupported start tag "{tag}" at byte offset {offset(begin)}'
                )
            argument = ""
            expandable = False
            while at(i) != ">":
                while i < n and at(i) in _HTML_SPACE:
                    i += 1
                if at(i) == ">":
                    break
                attr_begin = i
                while at(i) not in _HTML_SPACE and at(i) not in "=>":
                    i += 1
                attr = src[attr_begin:i].lower()
                if not attr:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {offset(begin)}'
                    )
                while i < n and at(i) in _HTML_SPACE:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and attr == "expandable":
                        expandable = True
                        continue
                    raise HtmlParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {offset(begin)}'
                    )
                i += 1
                while i < n and at(i) in _HTML_SPACE:
                    i += 1
                if i >= n:
                    raise HtmlParseError(
                        f'Unclosed start tag "{tag}" at byte offset {offset(begin)}'
                    )
                if at(i) not in "'\"":
                    value_begin = i
                    while at(i).isascii() and (at(i).isalnum() or at(i) in ".-"):
                        i += 1
                    value = src[value_begin:i]
                    if at(i) not in _HTML_SPACE and at(i) != ">":
                        raise HtmlParseError(
                            f"Unexpected end of name token at byte offset {offset(i)}"
                        )
                else:
                    quote = src[i]
                    i += 1
                    parts: list[str] = []
                    while i < n and src[i] != quote:
                        if src[i] == "&":
                            char, end = _decode_html_entity(src, i, strict)
                            if char is not None:
                                parts.append(char)
                                i = end
                                continue
                            if strict:
                                raise bare_ampersand(i)
                        parts.append(src[i])
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(parts)
                if i >= n:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
                if tag == "a" and attr == "href":
                    argument = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr == "expandable":
                    expandable = True
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {offset(begin)}'
                )
            stack.append((tag, argument, u16, expandable))
            i += 1  # the ">"
            continue

        # an end tag
        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {offset(begin)}")
        i += 1
        name_begin = i
        while at(i) not in _HTML_SPACE and at(i) != ">":
            i += 1
        end_name = src[name_begin:i]
        while i < n and at(i) in _HTML_SPACE:
            i += 1
        if at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {offset(begin)}")
        tag, argument, start, expandable = stack.pop()
        if end_name and end_name != tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {offset(begin)}, expected "</{tag}>", '
                f'found "</{end_name}>"'
            )
        i += 1
        if u16 > start:
            entity = _make_entity(tag, argument, expandable, start, u16 - start, entities)
            if entity is not None:
                entities.append(entity)
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for entity in entities:
        entity.pop("_language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _make_entity(
    tag: str,
    argument: str,
    expandable: bool,
    offset: int,
    length: int,
    previous: list[dict[str, Any]],
) -> dict[str, Any] | None:
    base: dict[str, Any] = {"offset": offset, "length": length}
    if tag in _SIMPLE_ENTITY:
        return {"type": _SIMPLE_ENTITY[tag], **base}
    if tag == "a":
        if not argument:
            return None
        return {"type": "text_link", **base, "url": argument}
    if tag == "code":
        entity = {"type": "code", **base}
        if argument:
            entity["_language"] = argument
        return entity
    if tag == "pre":
        last = previous[-1] if previous else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and last.get("_language")
        ):
            previous.pop()
            return {"type": "pre", **base, "language": last["_language"]}
        return {"type": "pre", **base}
    if tag == "blockquote":
        return {"type": "expandable_blockquote" if expandable else "blockquote", **base}
    if tag == "tg-emoji":
        if not argument.isdigit():
            raise HtmlParseError("Invalid custom emoji identifier specified")
        return {"type": "custom_emoji", **base, "custom_emoji_id": argument}
    return None


_TRIM = " \t\r\n\v\f"


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace like Telegram does and move the entities accordingly."""
    stripped = text.strip(_TRIM)
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


_AUTO_ENTITY = re.compile(
    r"(?P<bot_command>(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/]))"
    r"|(?P<url>\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]'])"
    r"|(?P<mention>(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b)"
    r"|(?P<hashtag>(?<![\w#&])#\w*[^\W\d]\w*)"
)


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram adds to a user's plain text (commands, URLs, mentions, hashtags)."""
    entities = []
    for match in _AUTO_ENTITY.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        entities.append(
            {
                "type": kind,
                "offset": utf16_len(text[:start]),
                "length": utf16_len(text[start:end]),
            }
        )
    return entities
