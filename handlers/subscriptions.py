"""Opting in and out of reminders, and telling us this year's contribution is paid."""

from nongbao.content import render
from nongbao.turns import Outcome, Turn


def subscribe(turn: Turn) -> Outcome:
    """Opt in to contribution-window and deadline reminders."""
    turn.store.subscribe_reminders(turn.contact.id, turn.now)
    window = render("{pension_window}", turn.policy, turn.t)
    text = turn._(
        "Reminders are on. This year's pension payment window is %(window)s; we will remind you before it closes. Reply TD to stop.",
        window=window,
    )
    return Outcome(text, "reminders.subscribe")


def unsubscribe(turn: Turn) -> Outcome:
    """STOP, 退订, TD: honoured at once, whatever dialogue was open."""
    turn.store.opt_out(turn.contact.id, turn.text.strip()[:40] or "STOP", turn.now)
    text = turn._(
        "You are unsubscribed: we will not send you messages again. You can still ask us anything; reply REMIND to subscribe again."
    )
    return Outcome(text, "reminders.unsubscribe", ask_region=False)


def paid(turn: Turn) -> Outcome:
    """No more deadline reminders for this contribution year."""
    year = turn.local_today.year
    turn.store.mark_paid(turn.contact.id, year, turn.now)
    text = turn._("Thank you. We noted that you paid for %(year)s and will not remind you again this year.", year=year)
    return Outcome(text, "reminders.paid")
