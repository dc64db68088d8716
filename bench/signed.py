"""Twilio webhook requests signed in advance, so the load generator spends nothing on signing."""

import random
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "tests" / "data").glob("intents_*.tsv"))
PUBLIC_URL = "http://bench.example"
PATH = "/sms/twilio"
ACCOUNT = "AC" + "b" * 32
SERVICE_NUMBER = "+8610690000000"
NUMBERS = 10_000  # distinct farmers per set: at 3,000 req/s each still sends fewer than FLOOD_PER_MINUTE (20) a minute


@dataclass(frozen=True)
class Signed:
    """One webhook as Twilio sends it: the X-Twilio-Signature header and the form body."""

    signature: str
    body: str


def messages() -> list[str]:
    """Real farmer texts from the labelled sets, each once, shuffled (fixed seed): the files are grouped by intent."""
    seen: dict[str, None] = {}
    for path in CORPUS:
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.split("\t", 1)[0].strip()
            if text and not line.startswith("#"):
                seen.setdefault(text, None)
    texts = list(seen)
    random.Random(0).shuffle(texts)
    return texts


def form(index: int, text: str, run: str, prefix: str) -> dict[str, str]:
    """The fields Twilio posts for an incoming SMS; the MessageSid is unique to this run, set and index."""
    sid = f"SM{run}{index:024x}"
    return {
        "ToCountry": "CN",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": text,
        "FromCountry": "CN",
        "To": SERVICE_NUMBER,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT,
        "From": f"+86{prefix}{index % NUMBERS:08d}",
        "ApiVersion": "2010-04-01",
    }


def build(token: str, count: int, prefix: str, texts: list[str]) -> list[Signed]:
    """`count` requests from farmers +86<prefix>xxxxxxxx, cycling through the texts."""
    validator = RequestValidator(token)
    run = secrets.token_hex(4)
    requests = []
    for index in range(count):
        params = form(index, texts[index % len(texts)], run, prefix)
        requests.append(Signed(validator.compute_signature(PUBLIC_URL + PATH, params), urlencode(params)))
    return requests


def write(requests: list[Signed], path: Path):
    """One request a line, signature TAB body, as bench/signed.lua reads them."""
    path.write_text("".join(f"{r.signature}\t{r.body}\n" for r in requests), encoding="ascii")
