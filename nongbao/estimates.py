"""An estimate request from raw inputs, answered the same way for the API and the staff CLI."""

import datetime
from zoneinfo import ZoneInfo

from . import estimate_text
from .estimator import EstimateError, as_json, estimate, parse_input
from .i18n import supported, translator
from .library import Library
from .places import ROOT


class UnknownRegion(LookupError):
    """No place of China has this code."""


def answer(lib: Library, body: dict, default_region: str, default_locale: str) -> dict:
    """The API's estimate response for a request body.

    Raises EstimateError (a bad input, with its field) or UnknownRegion.
    """
    code = str(body.get("region") or default_region)
    region = lib.policy_for(code)
    if region is None:
        raise UnknownRegion(code)
    requested = body.get("locale")
    locale = supported(str(requested)) if requested is not None else supported(default_locale)
    if locale is None:
        raise EstimateError("locale", "invalid", "locale must be zh-Hans or en")
    policy = region.pension
    today = datetime.datetime.now(ZoneInfo(region.timezone)).date()
    result = estimate(policy, parse_input(body, policy, today=today))
    own = region.code == code
    text = estimate_text.summary(
        translator(locale), result, region.name(locale) if own else lib.short_name(code, locale),
        basis_name=None if own else region.name(locale), national=region.code == ROOT, today=today,
    )  # fmt: skip
    basis = {"code": region.code, "name": region.name("zh-Hans")}
    return {**as_json(result, code, basis=basis), "text": text, "locale": locale}
