"""Confirmation prompts act on exactly what they showed: two prompts open at once, a stale or
expired "Yes", a group that changed since the prompt, and the prompt's own Cancel."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models import Agent, GroupOrder
from services.seed import DEMO_AGENT
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from tests.test_group_orders import join_with_buttons, open_group

pytestmark = pytest.mark.clock

EXPIRED = "This confirmation has expired or was already used. Nothing was changed."
SPEC = "country=IT city=Milan method=rail deadline=+3d min=2 offer=dried-shiitake:38"


async def group_row(app: Harness, group_id: int) -> GroupOrder:
    async with app.session_factory() as session:
        return await session.get(GroupOrder, group_id)


async def test_two_cancel_prompts_each_cancel_their_own_group_with_their_own_reason(app: Harness):
    seven, eight = await open_group(app, SPEC), await open_group(app, SPEC)
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    older = await app.send(admin, f"/gb_cancel {seven.id} The rice harvest is late")
    newer = await app.send(admin, f"/gb_cancel {eight.id} Customs strike at Yiwu")
    older_yes = older.buttons[0][0][1]
    await app.tap(admin, "🗑", older)
    assert older.buttons == []  # the prompt now says what was done
    first, second = await group_row(app, seven.id), await group_row(app, eight.id)
    assert (first.status, first.cancel_reason) == ("cancelled", "The rice harvest is late")
    assert second.status == "open"
    await app.tap(admin, "🗑", newer)
    second = await group_row(app, eight.id)
    assert (second.status, second.cancel_reason) == ("cancelled", "Customs strike at Yiwu")
    again = await app.press(admin, older, older_yes)  # the same Yes again (a second client)
    assert again["show_alert"] is True and again["text"] == EXPIRED


async def test_two_agent_remove_prompts_remove_exactly_whom_they_named(app: Harness):
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    giulia, marco = app.user(first_name="Giulia"), app.user(first_name="Marco")
    for agent in (giulia, marco):
        await app.send(agent, "/start")
        await app.send(admin, f"/agent_add {agent.id} IT Milan")
    first = await app.send(admin, f"/agent_remove {giulia.id} IT Milan")
    await app.send(admin, f"/agent_remove {marco.id} IT Milan")
    await app.tap(admin, "🗑", first)
    async with app.session_factory() as session:
        left = {a.user_id for a in (await session.exec(select(Agent))).all()}
    assert left - {DEMO_AGENT["id"]} == {marco.id}  # the demo's own Milan agent stays


async def test_an_expired_confirmation_changes_nothing(app: Harness):
    group = await open_group(app, SPEC)
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    prompt = await app.send(admin, f"/gb_close {group.id}")
    app.clock.advance(timedelta(hours=1))
    answer = await app.tap(admin, "🔒", prompt)
    assert answer["show_alert"] is True and answer["text"] == EXPIRED
    assert (await group_row(app, group.id)).status == "open"


async def test_a_close_confirmed_after_the_group_changed_is_refused(app: Harness):
    group = await open_group(app, SPEC)
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    prompt = await app.send(admin, f"/gb_close {group.id}")
    assert "NOT reached its minimum and will fail" in prompt.text
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    await join_with_buttons(app, buyer, group, 2)  # now it would form instead
    answer = await app.tap(admin, "🔒", prompt)
    assert answer["show_alert"] is True and "changed since you asked" in answer["text"]
    assert (await group_row(app, group.id)).status == "open"
    fresh = await app.send(admin, f"/gb_close {group.id}")
    assert "will form" in fresh.text
    await app.tap(admin, "🔒", fresh)
    assert (await group_row(app, group.id)).status == "formed"


async def test_the_prompts_cancel_button_forgets_the_action(app: Harness):
    group = await open_group(app, SPEC)
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    prompt = await app.send(admin, f"/gb_cancel {group.id} no reason at all")
    # the buttons say what they do: no "Cancel" that would mean "don't cancel"
    assert app.button_texts(prompt) == ["🗑 Yes, cancel the group", "↩ Keep the group"]
    answer = await app.tap(admin, "Keep the group", prompt)
    assert answer["text"] == "Cancelled. Nothing was changed."
    assert app.last(admin).buttons == []
    assert (await group_row(app, group.id)).status == "open"


async def test_a_start_or_cancel_in_between_keeps_the_prompt_valid(app: Harness):
    group = await open_group(app, SPEC)
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    prompt = await app.send(admin, f"/gb_close {group.id}")
    await app.send(admin, "/cancel")
    await app.send(admin, "/start")
    await app.tap(admin, "🔒", prompt)
    assert (await group_row(app, group.id)).status == "failed"


async def test_closing_and_cancelling_word_their_counts(app: Harness):
    """One order is "1 order confirmed", not "1 orders confirmed"; one buyer "will be told"."""
    formed = await open_group(app, SPEC.replace("min=2", "min=1"))
    buyer = app.user(language_code="en")
    await app.onboard(buyer, language="en", country="Italy", city="Milan")
    await join_with_buttons(app, buyer, formed, 1)
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.send(admin, f"/gb_close {formed.id}")
    await app.tap(admin, "🔒")
    assert app.last(admin).text == f"Group order {formed.id} formed; 1 order confirmed."
    doomed = await open_group(app, SPEC)
    await join_with_buttons(app, buyer, doomed, 1)
    await app.send(admin, f"/gb_cancel {doomed.id} the truck broke down")
    await app.tap(admin, "🗑")
    assert app.last(admin).text == f"Group order {doomed.id} is cancelled; 1 buyer will be told."
