"""The channel-neutral conversation engine: (contact, text) in, one stored reply out."""

import datetime
import logging
import re
import sqlite3
import time

from handlers import MENUS, REGISTRY
from handlers import privacy as erasure

from . import flood, metrics, segments
from .db import Storage, utcnow
from .i18n import N_, negotiate
from .intents import YES_WORDS
from .library import library
from .matcher import Match, consent
from .models import REGION_ASKED, REGION_SET, REGION_UNKNOWN, Contact
from .privacy import mask_address, mask_sensitive_numbers, normalize_address
from .turns import KEEP, NeedsLock, Outcome, Reply, Turn

log = logging.getLogger(__name__)
MORE_WORDS = {"更多", "more", "m", "继续"}
MAX_FOLLOWS = 3  # a handler may hand over to another, which may hand over once more
LAUGHTER = re.compile(r"^([哈呵嘿嘻]+|(ha)+h?|(he)+|lol+|x+d+|[\W_]+)[!！。.~～?？\s]*$", re.I)  # not digits: those may answer
NOISE = re.compile(
    r"^([哈呵嘿嘻哼嗯啊哦噢呃额]+|(ha)+h?|(he)+|(hi)+|lol+|l+o+l+|x+d+|\d{1,3}[.,]?\d*|\d{5,}|(.)\3{2,})[!！。.~～?？\s]*$", re.I
)
OPTIMISTIC_TRIES = 3  # turns worked out without the write lock before one runs inside it
PRIVACY_LINE = N_("Reply PRIVACY to see how we use your data.")  # in a new contact's first reply


class Overtaken(Exception):
    """Another turn of the same contact committed while this one was worked out."""


class Engine:
    """Routes each message to a handler from the registry and stores everything it says."""

    def __init__(self, store: Storage, config: dict, clock=utcnow):
        self.store, self.config, self.clock = store, config, clock

    def receive(self, address: str, text_in: str, channel: str, provider_id: str | None = None) -> Reply:
        """Store the message first, then answer it once; a repeated provider id gets the stored reply."""
        now, started = self.clock(), time.perf_counter()
        stored_text = mask_sensitive_numbers(text_in or "")
        contact, inbound_id, fresh = self.store.take_inbound(normalize_address(address), channel, stored_text, provider_id, now)
        if contact is None:
            return self._silence(duplicate=True)  # a resend of a message erased at the farmer's request
        if not fresh and (stored := self._stored_reply(inbound_id, contact)) is not None:
            return stored
        masked = stored_text != (text_in or "")
        reply = self._flooded(contact, stored_text, inbound_id, channel, now) or self._answered(
            contact, stored_text, masked, inbound_id, channel, now
        )
        if reply.message_id is not None:  # a reply stored, not a silence
            metrics.answered(reply.intent, channel, time.perf_counter() - started)
        log.info("reply to %s intent=%s parts=%d", mask_address(contact.address), reply.intent, reply.segments)
        return reply

    def _answered(
        self, contact: Contact, text: str, masked: bool, inbound_id: int, channel: str, now: datetime.datetime
    ) -> Reply:
        """Work the answer out without the write lock, then commit the turn's writes in one short transaction.

        A turn of the same contact committed meanwhile (two messages sent together) makes this one start again
        on what that turn left; after OPTIMISTIC_TRIES, or when an action must write at once, the whole turn runs
        inside the transaction.
        """
        for attempt in range(OPTIMISTIC_TRIES):
            if attempt and (contact := self._current(contact)) is None:
                return self._silence()
            turn = self._turn(contact, text, now, inbound_id, locked=False)
            try:
                with self.store.reading_only():
                    reply = self._answer(turn, masked)
            except NeedsLock:
                break
            try:
                with self.store.atomic():
                    return self._settle(turn, reply, channel)
            except Overtaken:
                continue  # the transaction rolled back: the answer is worked out again
        with self.store.atomic():
            if (contact := self._current(contact)) is None:
                return self._silence()
            turn = self._turn(contact, text, now, inbound_id, locked=True)
            return self._settle(turn, self._answer(turn, masked), channel)

    def _current(self, contact: Contact) -> Contact | None:
        """The contact as another turn left it; None when the farmer's data was erased at their request meanwhile."""
        contact = self.store.contact_by_id(contact.id)
        if contact.erased:
            log.info("message of contact %d not answered: erased at their request meanwhile", contact.id)
            return None
        return contact

    def _settle(self, turn: Turn, reply: Reply, channel: str) -> Reply:
        """Inside the transaction: the reply stored with the turn's writes, or the reply a concurrent delivery of the
        same message stored first; Overtaken when another turn of the contact committed after this one read it."""
        if not self.store.claim_answer(turn.inbound_id, reply.intent, turn.now):
            return self._stored_reply(turn.inbound_id, turn.contact)
        if not self._write_turn(turn, reply, channel):
            raise Overtaken
        return reply

    def _silence(self, duplicate: bool = False) -> Reply:
        """No answer and nothing stored: the message belongs to data erased at the farmer's request."""
        return Reply("", "menu", self.config["DEFAULT_LOCALE"], 0, duplicate=duplicate)

    def _write_turn(self, turn: Turn, reply: Reply, channel: str) -> bool:
        """The turn's writes, inside its transaction: the contact, its actions, the dialogue and the reply.

        False, writing nothing, when another turn of the contact committed after this one read it.
        """
        contact = turn.contact
        if not self.store.claim_turn(contact.id, contact.turns, turn.now, **turn.contact_changes, last_locale=turn.locale):
            return False
        for write in turn.writes:
            write(self.store)
        self._store_state(turn, turn.next_state)
        reply.message_id = self.store.record_reply(
            turn.inbound_id,
            turn.contact.id,
            channel,
            reply.text,
            reply.intent,
            reply.content_version,
            reply.segments,
            turn.now,
            claimed=True,
        )
        return True

    def _flooded(self, contact: Contact, text: str, inbound_id: int, channel: str, now: datetime.datetime) -> Reply | None:
        """One polite notice to a number sending too many messages a minute, then silence; None to answer as usual."""
        limit = flood.limit_from(self.config)
        if not limit or consent(text):
            return None  # consent words are always handled, even in a flood
        since = now - flood.WINDOW
        recent, notices = self.store.flood_counts(contact.id, since)
        if recent <= limit and not notices:
            return None
        with self.store.atomic():  # counted again under the lock: messages arriving together get one notice
            if self.store.reply_to(inbound_id) is not None:
                return self._stored_reply(inbound_id, contact)  # a concurrent delivery of this message was answered
            recent, notices = self.store.flood_counts(contact.id, since)
            decision = flood.verdict(recent, notices > 0, limit)
            if decision == flood.ANSWER:
                return None
            locale = negotiate(contact.locale, text, contact.last_locale, self.config["DEFAULT_LOCALE"])
            if decision == flood.SILENT:
                self.store.mark_flooded(inbound_id, now)
                return Reply("", flood.PUBLIC_INTENT, locale, 0)
            body = flood.notice(locale)
            parts = segments.segments(body, self.config.get("SMS_SIGNATURE", ""))
            message_id = self.store.record_reply(inbound_id, contact.id, channel, body, flood.INTENT, None, parts, now)
        return Reply(body, flood.PUBLIC_INTENT, locale, parts, message_id=message_id)

    def _turn(self, contact: Contact, text: str, now: datetime.datetime, inbound_id: int, locked: bool) -> Turn:
        state = self.store.conversation(contact.id, now)
        lib = library(self.store)
        locale = negotiate(contact.locale, text, contact.last_locale, self.config["DEFAULT_LOCALE"])
        chinese = lib.matcher.as_chinese(text)  # handlers read the words pinyin spells, alone or inside Chinese
        if chinese != text:
            locale = contact.locale or "zh-Hans"  # pinyin is typed by Chinese speakers without a Chinese keyboard
        text = chinese
        return Turn(self.store, lib, self.config, contact, text, locale, now, inbound_id, state, menus=MENUS, locked=locked)

    def _answer(self, turn: Turn, masked: bool) -> Reply:
        """Route the message and shape the reply for SMS; the turn keeps the writes it asks for."""
        try:
            outcome = self._followed(turn, self._route(turn))
        except NeedsLock:
            raise
        except sqlite3.OperationalError as exc:
            if not turn.locked and "readonly" in str(exc):
                raise NeedsLock(str(exc)) from exc  # a handler wrote directly: answer again inside the transaction
            log.exception("could not answer message %d", turn.inbound_id)
            outcome = self._apology(turn)
        except Exception:  # the farmer still gets an answer; staff see the question
            log.exception("could not answer message %d", turn.inbound_id)
            outcome = self._apology(turn)
        if outcome.locale:
            turn.locale = outcome.locale
        if outcome.contact:
            turn.contact_changes.update(outcome.contact)
            for name, value in outcome.contact.items():
                if hasattr(turn.contact, name):
                    setattr(turn.contact, name, value)
        state = self._next_state(turn, outcome)
        text, state = self._with_onboarding(turn, outcome, state)
        if masked:
            text = turn._("For your safety we removed the ID or bank card number; we never need it.") + "\n" + text
        # A new contact's first reply ends with the privacy word, which may take it one part over the usual limit.
        first = turn.contact.turns == 0 and not erasure.notice_asked(turn.text)
        footer = "\n" + turn._(PRIVACY_LINE) if first else ""
        text, state = self._paged(turn, outcome, text, state, footer)
        turn.next_state = state
        parts = segments.segments(text, self.config.get("SMS_SIGNATURE", ""))
        facts = (state or {}).get("data", {}).get("facts") if (state or {}).get("flow") == "estimate" else None
        return Reply(
            text,
            outcome.intent,
            turn.locale,
            parts,
            facts=facts,
            intents=outcome.intents,
            content_version=outcome.content_version,
        )

    def _followed(self, turn: Turn, outcome: Outcome) -> Outcome:
        """Run the capabilities a handler handed over to, keeping what it already said first."""
        for _ in range(MAX_FOLLOWS):
            if not outcome.follow:
                break
            key = outcome.follow
            turn.match = Match(key, 1.0, turn.locale)
            following = REGISTRY[key].handle(turn)
            if outcome.text:
                following.text = f"{outcome.text}\n{following.text}"
            following.contact = {**outcome.contact, **following.contact}
            following.locale = following.locale or outcome.locale
            outcome = following
        return outcome

    def _stored_reply(self, inbound_id: int, contact: Contact) -> Reply | None:
        """The reply given the first time, or silence for a message left unanswered in a flood; None to answer it."""
        stored = self.store.reply_to(inbound_id)
        locale = contact.last_locale or self.config["DEFAULT_LOCALE"]
        if stored:
            intent = flood.PUBLIC_INTENT if stored["intent"] == flood.INTENT else stored["intent"]
            return Reply(stored["text"], intent, locale, stored["segments"] or 0, duplicate=True, message_id=stored["id"])
        if self.store.inbound_intent(inbound_id) == flood.INTENT:
            return Reply("", flood.PUBLIC_INTENT, locale, 0, duplicate=True)
        return None  # a first delivery that died before answering, or one still being answered: answer it

    def _route(self, turn: Turn) -> Outcome:
        """Global words first, then the open dialogue, then menus, places and the matcher."""
        text = turn.text.strip()
        if text.lower() in MORE_WORDS:
            return self._more(turn)
        command = turn.library.matcher.command(text) if text else None
        if command is None and turn.contact.opted_out and text.lower().strip(" .!！。") in YES_WORDS:
            command = Match("reminders.subscribe", 10.0, None)  # YES from a contact who opted out opts back in
        if command:
            turn.match = command
            if command.intent != "language" and (turn.contact.locale or turn.contact.last_locale):
                turn.locale = turn.contact.locale or turn.contact.last_locale  # TD, STOP: short codes, not a language
            return REGISTRY[command.intent].handle(turn)
        if erasure.requested(text):  # "删除我的信息": asks for confirmation, whatever dialogue was open
            return REGISTRY["privacy"].handle(turn)
        if erasure.notice_asked(text):  # "隐私", the word the first reply names
            return REGISTRY["privacy.notice"].handle(turn)
        if turn.state and text and LAUGHTER.match(text):
            return Outcome(turn._("Reply MENU for the menu."), "menu", state=KEEP, ask_region=False)  # the dialogue stays
        capability = REGISTRY.get((turn.state or {}).get("flow"))
        if capability and capability.resume:
            outcome = capability.resume(turn)
            if outcome is not None:
                return outcome
        if not text or NOISE.match(text) or not any(ch.isalnum() for ch in text):
            turn.match = Match("menu", 0.0, None)  # digits, laughter, emoji: the menu, never a ticket or an action
            return REGISTRY["menu"].handle(turn)
        named = REGISTRY["region"].handle(turn)
        if named is not None:
            return named
        moved = self._place_in_passing(turn)
        turn.match = turn.library.matcher.route(text)
        several = len(turn.match.intents) > 1 and turn.match.intent != "clarify"
        outcome = REGISTRY["topics" if several else turn.match.intent].handle(turn)
        outcome.contact = {**moved, **outcome.contact}
        return outcome

    @staticmethod
    def _place_in_passing(turn: Turn) -> dict:
        """A question that says where the farmer is ("四川南充的 交多少档合适") is answered with that place's figures."""
        found = turn.library.find_places(turn.text)
        if found is None or len(found.codes) != 1 or found.codes[0] == turn.contact.region:
            return {}
        turn.contact.region = found.codes[0]
        return {"region": found.codes[0], "region_status": REGION_SET}

    def _more(self, turn: Turn) -> Outcome:
        """The next page of a long reply; with nothing left, say so and keep whatever is open."""
        data = turn.state_data()
        if not turn.state or not data.get("more"):
            return Outcome(
                turn._("There is nothing more to show. Reply MENU for the menu."), "menu", state=KEEP, ask_region=False
            )
        page, intent = data.pop("more"), data.pop("more_intent", "menu")
        flow = turn.state["flow"]
        state = None if flow == "more" else (flow, turn.state["step"], data)  # the dialogue stays open
        return Outcome(page, intent, state=state, ask_region=False)

    def _apology(self, turn: Turn) -> Outcome:
        turn.log_unanswered()
        text = turn._(
            "Sorry, something went wrong on our side. Please try again later or call %(hotline)s.", hotline=turn.hotline
        )
        return Outcome(text, "unknown", ask_region=False)

    @staticmethod
    def _next_state(turn: Turn, outcome: Outcome) -> dict | None:
        """The dialogue after this turn, as the handler asked; a page left over from before is dropped."""
        if outcome.state is None:
            return None
        if outcome.state is KEEP:
            if turn.state is None:
                return None
            data = {k: v for k, v in turn.state["data"].items() if k not in ("more", "more_intent")}
            return {**turn.state, "data": data}
        flow, step, data = outcome.state
        return {"flow": flow, "step": step, "data": data}

    def _with_onboarding(self, turn: Turn, outcome: Outcome, state: dict | None) -> tuple[str, dict | None]:
        """After a new contact's first answer, ask (skippably) for their county, when the reply has room for it."""
        contact, text = turn.contact, outcome.text
        if state is not None or not outcome.ask_region or contact.region_status != REGION_UNKNOWN:
            return text, state
        question = turn._("Which county are you in? Reply with its name for local figures, or 'skip'.")
        combined = f"{text}\n{question}"
        if segments.segments(combined, self.config.get("SMS_SIGNATURE", "")) > self.config["SMS_MAX_PARTS"]:
            return text, state
        turn.contact_changes["region_status"] = contact.region_status = REGION_ASKED
        return combined, {"flow": "region", "step": "ask", "data": {}}

    def _paged(self, turn: Turn, outcome: Outcome, text: str, state: dict | None, footer: str = "") -> tuple[str, dict | None]:
        """Keep a reply within the part limit; the rest waits for 'more' in the dialogue. The footer is added after."""
        limit, signature = self.config["SMS_MAX_PARTS"], self.config.get("SMS_SIGNATURE", "")
        suffix = "\n" + turn._("(Reply MORE for the rest)")
        shown, rest = segments.fit(text, limit, signature, suffix)
        shown += footer
        if not rest:
            return shown, state
        state = state or {"flow": "more", "step": "", "data": {}}
        return shown, {**state, "data": {**state["data"], "more": rest, "more_intent": outcome.intent}}

    def _store_state(self, turn: Turn, state: dict | None):
        """Write the dialogue once per turn; it expires after CONVERSATION_TIMEOUT_MINUTES of silence."""
        if state is None:
            self.store.clear_conversation(turn.contact.id)
            return
        expires = turn.now + datetime.timedelta(minutes=int(self.config["CONVERSATION_TIMEOUT_MINUTES"]))
        self.store.save_conversation(turn.contact.id, state["flow"], state["step"], state["data"], turn.now, expires)
