"""/gb_new sets when and how a group's buyers pay: in the guided dialog (the moment, the ways to
pay as toggles, a transfer's IBAN and beneficiary, the admin's last account offered) and in one
line (pay=, methods=, iban=, beneficiary=); the group's row holds what was chosen."""

import pytest
from sqlmodel import col, select

from models import AuditEntry, GroupOrder, User
from services import groups
from services.groups import GroupError, GroupSpec, OfferSpec
from services.groups.creating import last_payment_account
from tests.conftest import ADMIN_ID
from tests.harness import Harness
from ui.callbacks import AdminGroupAction, AdminGroupCb

pytestmark = pytest.mark.clock

STALE = "This button is out of date. Please open the menu again with /start."
CANCELLED = "Cancelled. Nothing was changed."
ONE_LINE = "/gb_new country=IT city=Milan method=rail deadline=+5d min=5 offer=dried-shiitake:38"
TEST_PROVIDER = "284685063:TEST:sandbox"


async def admin_at_summary(app: Harness):
    """An admin set up in Milan, through /gb_new's eight steps to the summary."""
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    async with app.session_factory() as session:
        known = await session.get(User, ADMIN_ID)
    if known is None or not known.onboarded:
        await app.onboard(admin, language="en", country="Italy", city="Milan")
    await app.send(admin, "/gb_new")
    await app.send(admin, "IT Milan")
    await app.tap(admin, "Skip")
    await app.tap(admin, "rail")
    await app.send(admin, "+5d")
    await app.send(admin, "5")
    await app.tap(admin, "Skip")
    await app.tap(admin, "Skip")
    summary = await app.send(admin, "dried-shiitake 38")
    assert summary is not None and "Step" not in summary.text
    return admin, summary


async def group_count(app: Harness) -> int:
    async with app.session_factory() as session:
        return len((await session.exec(select(GroupOrder))).all())


async def newest_group(app: Harness) -> GroupOrder:
    async with app.session_factory() as session:
        group = (await session.exec(select(GroupOrder).order_by(col(GroupOrder.id).desc()))).first()
    assert group is not None
    return group


async def test_the_dialog_sets_pay_now_by_cash_and_transfer(app: Harness):
    admin, summary = await admin_at_summary(app)
    # the summary says how buyers pay unless changed, and asks
    assert "Buyers pay when the group forms, at the final price." in summary.text
    assert "Ways to pay: 💵 Cash at the pickup point" in summary.text
    assert "When do buyers pay?" in summary.text
    buttons = app.button_texts(summary)
    assert "✓ 💰 When the group forms (final price)" in buttons
    assert "⚡ Now, when they join (refund if the price drops)" in buttons
    assert "✅ Open the group" in buttons and "✖ Cancel" in buttons

    await app.tap(admin, "Now, when they join")
    step = app.last(admin)
    assert "How can they pay?" in step.text and "Buyers pay when they join" in step.text
    assert "who records it" in step.text and "your IBAN" in step.text  # each way explained
    assert app.button_texts(step) == [
        "✓ 💵 Cash at the pickup point",
        "🏦 Bank transfer",
        "✅ Done",
        "✖ Cancel",
    ]  # no Telegram Payments: the test settings have no provider token
    assert "PAYMENT_PROVIDER_TOKEN" in step.text

    await app.tap(admin, "Bank transfer")
    toggled = app.last(admin)
    assert toggled.message_id == step.message_id  # the same message, its ticks changed
    assert app.button_texts(toggled)[:2] == ["✓ 💵 Cash at the pickup point", "✓ 🏦 Bank transfer"]

    await app.tap(admin, "Done")
    ask_iban = app.last(admin)
    assert "send the IBAN" in ask_iban.text
    assert app.button_texts(ask_iban) == ["✖ Cancel"]  # no earlier account to offer

    wrong = await app.send(admin, "DE89 3704 0044 0532 0130 01")
    assert "The check digits of “DE89 3704 0044 0532 0130 01” do not match" in wrong.text
    assert "✖ Cancel" in app.button_texts(wrong)  # asked again
    short = await app.send(admin, "DE89 3704 0044 0532 0130 0")
    assert "has 21 characters, but an IBAN from Germany has 22" in short.text
    ask_name = await app.send(admin, "de89 3704 0044 0532 0130 00")
    assert "DE89 3704 0044 0532 0130 00" in ask_name.text and "beneficiary" in ask_name.text

    too_long = await app.send(admin, "x" * 129)
    assert "1 to 128 characters" in too_long.text
    summary = await app.send(admin, "Giulia <Rossi> & Co")
    assert "Buyers pay when they join, at the current price" in summary.text
    assert "Ways to pay: 💵 Cash at the pickup point · 🏦 Bank transfer" in summary.text
    assert "IBAN: DE89 3704 0044 0532 0130 00 · Beneficiary: Giulia <Rossi> & Co" in summary.text
    assert "Giulia &lt;Rossi&gt; &amp; Co" in summary.html  # escaped in the HTML sent
    assert "✓ ⚡ Now, when they join (refund if the price drops)" in app.button_texts(summary)

    groups_before = await group_count(app)
    await app.tap(admin, "Open the group")
    opened = app.last(admin)
    assert "is open" in opened.text and "Beneficiary: Giulia <Rossi> & Co" in opened.text
    assert await group_count(app) == groups_before + 1
    group = await newest_group(app)
    assert (group.pay_when, group.pay_methods, group.iban, group.beneficiary) == (
        "now",
        ["cash", "transfer"],
        "DE89370400440532013000",
        "Giulia <Rossi> & Co",
    )
    async with app.session_factory() as session:
        entry = (
            await session.exec(
                select(AuditEntry).where(
                    AuditEntry.action == "group.open", AuditEntry.object_id == str(group.id)
                )
            )
        ).one()
    after = entry.after or {}
    assert (after["pay_when"], after["pay_methods"], after["iban"], after["beneficiary"]) == (
        "now",
        ["cash", "transfer"],
        "DE89370400440532013000",
        "Giulia <Rossi> & Co",
    )


async def test_the_last_account_is_offered_on_the_next_gb_new(app: Harness):
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    await app.send(
        admin,
        ONE_LINE
        + ' methods=transfer iban="GB82 WEST 1234 5698 7654 32" beneficiary="Wei Chen Ltd"',
    )
    _admin, _summary = await admin_at_summary(app)
    await app.tap(admin, "When the group forms")
    await app.tap(admin, "Cash at the pickup point")  # off
    await app.tap(admin, "Bank transfer")  # on
    await app.tap(admin, "Done")
    ask_iban = app.last(admin)
    assert "Or use the account of your last group: GB82 WEST 1234 5698 7654 32 (Wei Chen Ltd)" in (
        ask_iban.text
    )
    assert app.button_texts(ask_iban) == ["Use GB82 … 5432 (Wei Chen Ltd)", "✖ Cancel"]
    await app.tap(admin, "Use GB82")
    summary = app.last(admin)
    assert "Ways to pay: 🏦 Bank transfer" in summary.text
    assert "IBAN: GB82 WEST 1234 5698 7654 32 · Beneficiary: Wei Chen Ltd" in summary.text
    again = await app.press(admin, ask_iban, AdminGroupCb(id=1, a=AdminGroupAction.PAY_DONE).pack())
    assert again.get("show_alert") is True  # the step is over: the button is out of date
    await app.tap(admin, "Open the group")
    group = await newest_group(app)
    assert (group.pay_when, group.pay_methods, group.iban, group.beneficiary) == (
        "formed",
        ["transfer"],
        "GB82WEST12345698765432",
        "Wei Chen Ltd",
    )
    # another admin has no account of their own to be offered
    async with app.session_factory() as session:
        assert await last_payment_account(session, ADMIN_ID) == (
            "GB82WEST12345698765432",
            "Wei Chen Ltd",
        )
        assert await last_payment_account(session, ADMIN_ID + 1) is None


async def test_at_least_one_way_to_pay_is_needed(app: Harness):
    admin, _summary = await admin_at_summary(app)
    await app.tap(admin, "When the group forms")
    step = app.last(admin)
    await app.tap(admin, "Cash at the pickup point")  # the only one, now off
    assert app.button_texts(app.last(admin))[:2] == [
        "💵 Cash at the pickup point",
        "🏦 Bank transfer",
    ]
    answer = await app.tap(admin, "Done")
    assert answer.get("show_alert") is True
    assert answer.get("text") == "Choose at least one way to pay, then press Done."
    assert app.last(admin).message_id == step.message_id  # still the same step
    await app.tap(admin, "Cash at the pickup point")
    await app.tap(admin, "Done")
    summary = app.last(admin)
    assert "Ways to pay: 💵 Cash at the pickup point" in summary.text
    done_again = await app.press(
        admin, step, AdminGroupCb(id=0, a=AdminGroupAction.PAY_DONE).pack()
    )
    assert done_again.get("text") == STALE


async def test_telegram_payments_are_not_offered_without_a_provider_token(app: Harness):
    admin, _summary = await admin_at_summary(app)
    assert app.settings.provider_token is None  # tests run with a bot token, not the sandbox's
    await app.tap(admin, "When the group forms")
    step = app.last(admin)
    assert not any("Telegram" in text for text in app.button_texts(step))
    # a forged toggle of Telegram Payments (index 0) changes nothing
    forged = await app.press(admin, step, AdminGroupCb(id=0, a=AdminGroupAction.PAY_METHOD).pack())
    assert forged.get("text") == STALE
    out_of_range = await app.press(
        admin, step, AdminGroupCb(id=7, a=AdminGroupAction.PAY_METHOD).pack()
    )
    assert out_of_range.get("text") == STALE
    await app.tap(admin, "Done")
    await app.tap(admin, "Open the group")
    group = await newest_group(app)
    assert group.pay_methods == ["cash"]
    # and in one line, with a clear reason
    before = await group_count(app)
    refused = await app.send(admin, ONE_LINE + " methods=telegram,cash")
    assert "Telegram Payments are off" in refused.text and "PAYMENT_PROVIDER_TOKEN" in refused.text
    assert await group_count(app) == before


async def test_telegram_payments_with_a_provider_token(invoicing: Harness):
    app = invoicing
    admin, _summary = await admin_at_summary(app)
    await app.tap(admin, "Now, when they join")
    step = app.last(admin)
    assert app.button_texts(step)[:3] == [
        "💳 Telegram Payments",
        "✓ 💵 Cash at the pickup point",
        "🏦 Bank transfer",
    ]
    assert "invoice" in step.text and "PAYMENT_PROVIDER_TOKEN" not in step.text
    await app.tap(admin, "Telegram Payments")
    await app.tap(admin, "Done")
    summary = app.last(admin)
    assert "Ways to pay: 💳 Telegram Payments · 💵 Cash at the pickup point" in summary.text
    await app.tap(admin, "Open the group")
    group = await newest_group(app)
    assert (group.pay_when, group.pay_methods, group.iban) == ("now", ["telegram", "cash"], None)
    reply = await app.send(admin, ONE_LINE + " pay=now methods=telegram")
    assert "is open" in reply.text, reply.text
    group = await newest_group(app)
    assert (group.pay_when, group.pay_methods) == ("now", ["telegram"])


async def test_cancel_ends_the_dialog_in_each_payment_step(app: Harness):
    before = await group_count(app)
    admin, _summary = await admin_at_summary(app)
    await app.tap(admin, "When the group forms")
    await app.tap(admin, "Cancel")  # on the ways to pay
    assert app.last(admin).text == CANCELLED
    await admin_at_summary(app)
    await app.tap(admin, "When the group forms")
    await app.tap(admin, "Bank transfer")
    await app.tap(admin, "Done")
    await app.tap(admin, "Cancel")  # on the IBAN
    assert app.last(admin).text == CANCELLED
    follow = await app.send(admin, "DE89 3704 0044 0532 0130 00")  # not an IBAN step any more
    assert "beneficiary" not in follow.text
    await admin_at_summary(app)
    await app.tap(admin, "When the group forms")
    await app.tap(admin, "Bank transfer")
    await app.tap(admin, "Done")
    await app.send(admin, "DE89 3704 0044 0532 0130 00")
    typed = await app.send(admin, "/cancel")  # typed, on the beneficiary
    assert typed.text == CANCELLED
    assert await group_count(app) == before


async def test_turning_transfer_off_drops_the_account(app: Harness):
    admin, _summary = await admin_at_summary(app)
    await app.tap(admin, "When the group forms")
    await app.tap(admin, "Bank transfer")
    await app.tap(admin, "Done")
    await app.send(admin, "IT60 X054 2811 1010 0000 0123 456")
    await app.send(admin, "Osteria Qingtian")
    await app.tap(admin, "Now, when they join")  # changed their mind
    await app.tap(admin, "Bank transfer")  # off again
    await app.tap(admin, "Done")
    summary = app.last(admin)
    assert "IBAN" not in summary.text and "Ways to pay: 💵 Cash at the pickup point" in summary.text
    await app.tap(admin, "Open the group")
    group = await newest_group(app)
    assert (group.pay_when, group.pay_methods, group.iban, group.beneficiary) == (
        "now",
        ["cash"],
        None,
        None,
    )


async def test_one_line_without_payment_options_keeps_the_defaults(app: Harness):
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    reply = await app.send(admin, ONE_LINE)
    assert "is open" in reply.text
    assert "Buyers pay when the group forms" in reply.text
    assert "Ways to pay: 💵 Cash at the pickup point" in reply.text
    group = await newest_group(app)
    assert (group.pay_when, group.pay_methods, group.iban, group.beneficiary) == (
        "formed",
        ["cash"],
        None,
        None,
    )


async def test_one_line_with_payment_options(app: Harness):
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    reply = await app.send(
        admin,
        ONE_LINE + ' pay=now methods=transfer,cash iban="it60 x054 2811 1010 0000 0123 456" '
        'beneficiary="Ristorante  Roma"',
    )
    assert "is open" in reply.text, reply.text
    assert "IBAN: IT60 X054 2811 1010 0000 0123 456 · Beneficiary: Ristorante Roma" in reply.text
    group = await newest_group(app)
    assert (group.pay_when, group.pay_methods, group.iban, group.beneficiary) == (
        "now",
        ["cash", "transfer"],  # in the usual order
        "IT60X0542811101000000123456",
        "Ristorante Roma",
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("methods=transfer", "A bank transfer needs the account"),
        (
            "methods=transfer iban=DE89370400440532013000",
            "A bank transfer needs whom it is made out to",
        ),
        (
            "methods=cash,transfer iban=DE89370400440532013001 beneficiary=Wei",
            "The check digits of “DE89370400440532013001” do not match",
        ),
        (
            "methods=transfer iban=DE893704 beneficiary=Wei",
            "it has 8 characters, and an IBAN has 15 to 34",
        ),
        ("iban=DE89370400440532013000 beneficiary=Wei", "only for bank transfers"),
        ("pay=tomorrow", "“tomorrow” is not when buyers pay"),
        ("methods=bitcoin", "“bitcoin” is not a way to pay"),
        ("methods=,", "Give at least one way to pay"),
        ('methods=transfer iban=DE89370400440532013000 beneficiary=" "', "1 to 128 characters"),
        ("paid=now", "“paid” is not a field of /gb_new"),
    ],
)
async def test_one_line_payment_mistakes_are_refused(app: Harness, options: str, expected: str):
    admin = app.user(user_id=ADMIN_ID, language_code="en")
    await app.onboard(admin, language="en", country="Italy", city="Milan")
    before = await group_count(app)
    reply = await app.send(admin, f"{ONE_LINE} {options}")
    assert expected in reply.text, reply.text
    assert "Send /gb_new alone for the guided dialog." in reply.text
    assert await group_count(app) == before


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        ({"pay_when": "later"}, "bad_pay_when"),
        ({"pay_methods": []}, "no_pay_method"),
        ({"pay_methods": ["cash", "bitcoin"]}, "bad_pay_method"),
        ({"pay_methods": ["telegram"]}, "invoices_off"),
        ({"pay_methods": ["transfer"]}, "transfer_without_iban"),
        ({"pay_methods": ["transfer"], "iban": "DE89370400440532013001", "beneficiary": "W"}, "bad_iban"),
        ({"pay_methods": ["transfer"], "iban": "DE89370400440532013000"}, "transfer_without_beneficiary"),
        ({"pay_methods": ["transfer"], "iban": "DE89370400440532013000", "beneficiary": "W" * 129}, "bad_beneficiary"),
    ],
)  # fmt: skip
async def test_the_use_case_checks_the_payment_terms(app: Harness, terms: dict, code: str):
    """Whatever calls it (a handler, the seed, a script), the use-case refuses bad terms."""
    from datetime import timedelta

    from models import Product

    async with app.session_factory() as session:
        product = (
            await session.exec(select(Product).where(Product.slug == "dried-shiitake"))
        ).one()
        spec = GroupSpec(
            country="IT", city="Milan", method="rail", deadline=app.clock.now() + timedelta(days=3),
            measure="units", min_total=5, offers=[OfferSpec(product_id=product.id or 0, prices=[3800])],
            **terms,
        )  # fmt: skip
        before = len((await session.exec(select(GroupOrder))).all())
        with pytest.raises(GroupError) as caught:
            await groups.create_group(session, spec=spec, created_by=ADMIN_ID, now=app.clock.now())
        assert caught.value.code == code
    async with app.session_factory() as session:
        assert len((await session.exec(select(GroupOrder))).all()) == before


async def test_the_use_case_stores_telegram_payments_when_invoices_are_on(app: Harness):
    from datetime import timedelta

    from models import Product

    async with app.session_factory() as session:
        product = (
            await session.exec(select(Product).where(Product.slug == "dried-shiitake"))
        ).one()
        group = await groups.create_group(
            session,
            spec=GroupSpec(
                country="IT", city="Milan", method="rail",
                deadline=app.clock.now() + timedelta(days=3), measure="units", min_total=5,
                offers=[OfferSpec(product_id=product.id or 0, prices=[3800])],
                pay_methods=["transfer", "telegram", "transfer"],
                iban="DE89 3704 0044 0532 0130 00", beneficiary="  Wei   Chen ",
            ),
            created_by=None,
            now=app.clock.now(),
            invoices=True,
        )  # fmt: skip
    async with app.session_factory() as session:
        stored = await session.get(GroupOrder, group.id)
    assert stored is not None
    assert (stored.pay_methods, stored.iban, stored.beneficiary) == (
        ["telegram", "transfer"],
        "DE89370400440532013000",
        "Wei Chen",
    )
