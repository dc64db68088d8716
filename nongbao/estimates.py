"""An estimate request from raw inputs, answered the same way for the API and the staff CLI."""

from . import estimate_text
from .estimator import EstimateError, as_json, estimate, parse_input
from .i18n import supported, translator
from .library import Library


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
    today = policy.today()
    result = estimate(policy, parse_input(body, policy, today=today))
    text = estimate_text.for_place(translator(locale), result, lib, region, code, today)
    basis = {"code": region.code, "name": region.name("zh-Hans")}
    return {**as_json(result, code, basis=basis), "text": text, "locale": locale}
