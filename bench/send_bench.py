"""3,000 notifications to 1,000 chats through the outbox sender and the Bot API emulator.

    python bench/send_bench.py [--rate 300] [--per-chat 1.0] [--chats 1000] [--messages 3000]

Prints, for a clean run and for a run where 5% of sends are answered 429 (retry_after 1 s):
achieved rate / configured limit (target >= 0.95 on the clean run), per-chat limit violations
(two messages to one chat closer than the per-chat interval; target 0), and the delivered count
(must equal the number queued). A 429 pauses all sending for its retry_after, as Telegram asks, so
the second run's rate is expected to be lower by about (number of 429s x retry_after).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import select  # noqa: E402

from bot.app import create_bot  # noqa: E402
from bot.db import create_engine, create_session_factory, migrate  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from bot.sandbox.emulator import BotAPIEmulator, EmuUser  # noqa: E402
from bot.sender import OutboxSender  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.config import PROJECT_ROOT  # noqa: E402
from models import Notification, User  # noqa: E402
from services import outbox  # noqa: E402


async def run(args: argparse.Namespace, *, fault_share: float) -> dict[str, float]:
    tmp = tempfile.mkdtemp()
    engine = create_engine(f"sqlite:///{tmp}/send.db")
    await migrate(engine)
    factory = create_session_factory(engine)
    clock = SystemClock()
    users = [
        EmuUser(id=100_000 + i, first_name=f"u{i}", language_code="en") for i in range(args.chats)
    ]
    async with factory() as session:
        for user in users:
            session.add(User(id=user.id, first_name=user.first_name, locale="en"))
        await session.commit()
        per_chat = args.messages // args.chats
        for n in range(per_chat):
            for user in users:
                await outbox.enqueue(
                    session,
                    user_id=user.id,
                    kind="text",
                    payload={"text": f"notice {n} for {user.id}"},
                    now=clock.now(),
                )
        await session.commit()
    total = per_chat * args.chats
    async with BotAPIEmulator(token="1:BENCH") as emulator:
        for user in users:
            emulator.register(user).started = True
        faults = int(total * fault_share)
        rng = random.Random(7)
        for chat in rng.sample([u.id for u in users], min(faults, len(users))):
            emulator.inject(
                method="sendMessage", chat_id=chat, error_code=429, retry_after=1, times=1
            )
        bot = create_bot("1:BENCH", emulator.base_url)
        sender = OutboxSender(
            bot=bot, session_factory=factory, i18n=create_i18n(PROJECT_ROOT / "locales"), clock=clock,
            rate=args.rate, per_chat_interval=args.per_chat,
        )  # fmt: skip
        start = time.monotonic()
        await sender.run_until_empty()
        elapsed = time.monotonic() - start
        await bot.session.close()
        calls = [(r.timestamp, int(r.params["chat_id"])) for r in emulator.calls("sendMessage")]
    async with factory() as session:
        statuses = (await session.exec(select(Notification.status))).all()
    await engine.dispose()
    delivered = sum(1 for s in statuses if s == "sent")
    by_chat: dict[int, list[float]] = {}
    for stamp, chat in calls:
        by_chat.setdefault(chat, []).append(stamp)
    violations = 0
    for stamps in by_chat.values():
        stamps.sort()
        violations += sum(
            1 for a, b in zip(stamps, stamps[1:], strict=False) if b - a < args.per_chat * 0.98
        )
    rate = len(calls) / elapsed
    return {
        "queued": total, "delivered": delivered, "calls": len(calls), "429s": faults,
        "seconds": elapsed, "rate": rate, "ratio": rate / args.rate, "violations": violations,
    }  # fmt: skip


def report(title: str, r: dict[str, float], limit: float) -> None:
    print(f"{title}")
    print(
        f"  delivered {r['delivered']:.0f} / {r['queued']:.0f} queued  ({r['calls']:.0f} sendMessage calls, {r['429s']:.0f} answered 429)"
    )
    print(
        f"  {r['seconds']:.2f} s, achieved {r['rate']:.1f} msg/s, ratio to the {limit:.0f}/s limit: {r['ratio']:.3f}"
    )
    print(f"  per-chat limit violations: {r['violations']:.0f}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--per-chat", type=float, default=1.0)
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args()
    clean = await run(args, fault_share=0.0)
    report("clean run", clean, args.rate)
    faulty = await run(args, fault_share=0.05)
    report(
        "5% of sends answered 429 (retry_after 1 s, all sending paused each time)",
        faulty,
        args.rate,
    )
    ok = (
        clean["delivered"] == clean["queued"] and faulty["delivered"] == faulty["queued"]
        and clean["violations"] == 0 and faulty["violations"] == 0 and clean["ratio"] >= 0.95
    )  # fmt: skip
    print("CHECK", "PASSED" if ok else "FAILED")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
