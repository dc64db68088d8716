"""An estimate request from raw inputs, answered the same way for the API and the staff CLI."""

from . import estimate_text
from .estimator import EstimateError, as_json, estimate, parse_input
from .i18n import supported, translator
from .library import Library


class UnknownRegion(LookupError):
    """No region with this code is loaded."""


def answer(lib: Library, body: dict, default_region: str, default_locale: str) -> dict:
    """The API's estimate response for a request body.

    Raises EstimateError (a bad input, with its field) or UnknownRegion.
    """
    code = str(body.get("region") or default_region)
    region = lib.region(code)
    if region is None:
        raise UnknownRegion(code)
    requested = body.get("locale")
    locale = supported(str(requested)) if requested is not None else supported(default_locale)
    if locale is None:
        raise EstimateError("locale", "invalid", "locale must be zh-Hans or en")
    policy = region.pension
    result = estimate(policy, parse_input(body, policy))
    text = estimate_text.summary(translator(locale), result, region.name(locale))
    return {**as_json(result, code), "text": text, "locale": locale}
