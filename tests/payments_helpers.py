"""Steps the payment tests share: an agent records a payment through its two taps."""

from __future__ import annotations

from typing import Any

from tests.harness import Harness
from ui.callbacks import AgentCb, PayAction, PayCb


def prompt_button(app: Harness, message: Any, action: str, method: str = "") -> str:
    """The callback data of the prompt's button for `action` (and `method`)."""
    for row in message.buttons:
        for _label, data in row:
            if not data.startswith(PayCb.__prefix__ + ":"):
                continue
            cb = PayCb.unpack(data)
            if cb.a == action and (not method or cb.m == method):
                return data
    raise AssertionError(f"no {action} {method} button in {message.buttons}")


async def record(
    app: Harness, agent: Any, order_id: int, method: str = "cash", amount: str | None = None
) -> dict[str, Any]:
    """💰 Record payment on the order, then the method's ✅ (after typing `amount`, if given)."""
    answer = await app.press(agent, app.last(agent), AgentCb(id=order_id, a="paid").pack())
    assert answer.get("show_alert") is not True, answer
    prompt = app.last(agent)
    if amount is not None:
        await app.press(agent, prompt, prompt_button(app, prompt, PayAction.TYPE))
        prompt = await app.send(agent, amount)
    return await app.press(agent, prompt, prompt_button(app, prompt, PayAction.OK, method))
