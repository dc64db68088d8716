"""Opting in and out of reminders, and telling us this year's contribution is paid."""

from nongbao.content import figure
from nongbao.turns import KEEP, Outcome, Turn


def subscribe(turn: Turn) -> Outcome:
    """Opt in to contribution-window and deadline reminders (this also lifts an earlier STOP)."""
    window = figure("pension_window", turn.policy, turn.t)
    if window:
        text = turn._(
            "Reminders are on. This year's pension payment window is %(window)s; we will remind you before it closes. Reply TD to stop.",
            window=window,
        )
    else:
        text = turn._("Reminders are on. We will tell you when this year's payment window opens. Reply TD to stop.")
    change = {"reminders": 1, "reminders_at": turn.now, "opted_out": 0}
    return Outcome(text, "reminders.subscribe", state=KEEP, contact=change)


def unsubscribe(turn: Turn) -> Outcome:
    """STOP, 退订, TD: honoured at once, whatever dialogue was open."""
    text = turn._(
        "You are unsubscribed: we will not send you messages again. You can still ask us anything; reply REMIND to subscribe again."
    )
    change = {"opted_out": 1, "opted_out_at": turn.now, "opted_out_reason": turn.text.strip()[:40] or "STOP", "reminders": 0}
    return Outcome(text, "reminders.unsubscribe", ask_region=False, contact=change)


def paid(turn: Turn) -> Outcome:
    """No more deadline reminders for this contribution year."""
    year = turn.local_today.year
    text = turn._("Thank you. We noted that you paid for %(year)s and will not remind you again this year.", year=year)
    return Outcome(text, "reminders.paid", state=KEEP, contact={"paid_year": year})
