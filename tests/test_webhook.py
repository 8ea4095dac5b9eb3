"""Webhook mode: updates POSTed by Telegram to /webhook, with the secret token checked."""

from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import WEBHOOK_PATH, build_webhook_app
from tests.harness import Harness


def update(update_id: int, user_id: int, text: str) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": user_id, "type": "private", "first_name": "Web"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Web", "language_code": "nl"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def test_webhook_updates_reach_the_bot_and_need_the_secret(app: Harness):
    settings = app.settings.model_copy(update={"webhook_secret": SecretStr("s3cret-Token_1")})
    web_app = build_webhook_app(settings, app.bot, app.dp)
    user = app.user(language_code="nl", user_id=777_001)
    app.emulator.send_message(user, "hi")  # the chat exists on the Bot API side
    await app.process()
    sent_before = len(app.emulator.calls("sendMessage"))
    async with TestClient(TestServer(web_app)) as client:
        wrong = await client.post(
            WEBHOOK_PATH,
            json=update(10, user.id, "/start"),
            headers={"X-Telegram-Bot-Api-Secret-Token": "nope"},
        )
        assert wrong.status == 401
        assert len(app.emulator.calls("sendMessage")) == sent_before  # nothing handled
        ok = await client.post(
            WEBHOOK_PATH,
            json=update(11, user.id, "/start"),
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"},
        )
        assert ok.status == 200
        await app.emulator.wait_idle(timeout=5)  # the update is handled in the background
    reply = app.emulator.calls("sendMessage")[-1].params["text"]
    assert "Nederlands" in str(app.emulator.calls("sendMessage")[-1].params.get("reply_markup"))
    assert reply  # the Dutch welcome with the language picker


def test_webhook_mode_refuses_to_start_without_a_secret():
    import os
    import subprocess
    import sys

    import pytest
    from pydantic import ValidationError

    from bot.config import PROJECT_ROOT, Settings

    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        Settings(_env_file=None, bot_token="1:x", webhook_url="https://bot.example.org")
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET"):
        Settings(_env_file=None, bot_token="1:x", webhook_url="https://a.b", webhook_secret="a b")
    token = "123456:NEVER-PRINT-ME"
    env = {**os.environ, "BOT_TOKEN": token, "WEBHOOK_URL": "https://bot.example.org"}
    env.pop("WEBHOOK_SECRET", None)
    run = subprocess.run(
        [sys.executable, "-m", "bot"], env=env, cwd=str(PROJECT_ROOT), capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "WEBHOOK_SECRET" in run.stderr and token not in run.stderr + run.stdout
