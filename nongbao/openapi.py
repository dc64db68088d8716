"""The OpenAPI 3 document of the JSON API (served at /api/v1/openapi.json; tests/test_fuzz.py drives the API from it)."""

from .intents import INTENTS

MONEY = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$", "description": "yuan, two decimals"}
TENTH = {
    "type": ["string", "null"],
    "pattern": r"^[0-9]+\.[0-9]$",
    "description": "years, one decimal; null when nothing is paid",
}
CODE = {"type": "string", "description": "a place code of China (6 digits; 000000 is the national root)"}
NAMES = {"type": "object", "description": "the name per locale", "additionalProperties": {"type": "string"}}
NUMBER_INPUT = {"type": ["number", "string"], "description": "a JSON number or a numeric string"}
OPTIONAL_NUMBER = {"type": ["number", "string", "null"], "description": "a JSON number or a numeric string; null: not given"}
FACT_NUMBER = {"type": "integer"}
FACT_MONEY = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _errors(*statuses: int) -> dict:
    texts = {
        400: "A bad input; `field` names it",
        401: "No bearer token, or an unknown one",
        404: "No such place of China",
        413: "The body is larger than the server accepts (64 KB)",
        429: "Too many requests for this token, or messages from this contact; try again later",
    }
    responses = {str(s): _error(texts[s]) for s in statuses}
    if "429" in responses:
        responses["429"]["headers"] = {
            "Retry-After": {"description": "seconds to wait (per-token limit)", "schema": {"type": "string"}}
        }
    return responses


GRADE_ROW = {
    "type": "object",
    "required": ["grade", "subsidy", "monthly_total", "payback_years"],
    "properties": {
        "grade": MONEY, "subsidy": MONEY, "account_at_claim": MONEY, "monthly_account": MONEY,
        "monthly_total": MONEY, "total_paid": MONEY, "payback_years": TENTH,
    },
}  # fmt: skip

CATCHUP = {
    "type": ["object", "null"],
    "required": ["years", "cost", "monthly_total", "path"],
    "properties": {
        "path": {"type": "string", "enum": ["arrears", "past_claim_age"]},
        "years": {"type": "integer", "minimum": 0},
        "cost": MONEY, "start_age": {"type": ["integer", "null"]}, "account_at_claim": MONEY,
        "monthly_basic": MONEY, "monthly_account": MONEY, "monthly_total": MONEY, "payback_years": TENTH,
    },
}  # fmt: skip

BASIS = {
    "type": "object",
    "required": ["code", "name"],
    "properties": {"code": CODE, "name": {"type": "string"}},
    "description": "whose figures were used (the place itself or its nearest ancestor with a region file)",
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "minLength": 1},
                    "message": {"type": "string", "minLength": 1},
                    "field": {"type": "string", "description": "the input at fault"},
                    "valid": {"type": "array", "items": {"type": "string"}, "description": "the valid values (grades)"},
                },
            }
        },
    },
    "MessageRequest": {
        "type": "object",
        "required": ["from", "text"],
        "properties": {
            "from": {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "description": "an E.164 phone number or another stable id",
            },
            "text": {"type": "string", "maxLength": 1600, "description": "the message; empty gets the menu"},
            "channel": {"type": ["string", "null"], "maxLength": 30, "description": "the chat channel's name (default: api)"},
        },
    },
    "MessageReply": {
        "type": "object",
        "required": ["reply", "intent", "locale", "segments"],
        "properties": {
            "reply": {"type": "string", "description": "the text sent back (empty while a flooding contact is silenced)"},
            "intent": {"type": "string", "enum": list(INTENTS)},
            "intents": {"type": "array", "items": {"type": "string", "enum": list(INTENTS)}},
            "locale": {"type": "string", "enum": ["zh-Hans", "en"]},
            "segments": {"type": "integer", "minimum": 0, "description": "SMS parts the reply takes"},
            "facts": {
                "type": "object",
                "description": "what the open estimate dialogue knows after this turn",
                "properties": {
                    "place": CODE,
                    "age": FACT_NUMBER,
                    "birth_year": FACT_NUMBER,
                    "grade": FACT_NUMBER,
                    "past_grade": FACT_NUMBER,
                    "years_paid": FACT_NUMBER,
                    "balance": FACT_MONEY,
                    "collective": FACT_MONEY,
                },
            },
        },
    },  # fmt: skip
    "EstimateRequest": {
        "type": "object",
        "required": ["age", "grade"],
        "properties": {
            "region": {
                "type": ["string", "integer", "null"],
                "description": "any place code of China; default: the service's region",
            },
            "age": NUMBER_INPUT,
            "grade": NUMBER_INPUT,
            "years_paid": OPTIONAL_NUMBER,
            "balance": OPTIONAL_NUMBER,
            "collective": OPTIONAL_NUMBER,
            "past_grade": OPTIONAL_NUMBER,
            "as_of": {"type": ["string", "null"], "description": "an ISO date (default: today in the region)"},
            "locale": {"type": ["string", "null"], "description": "zh-Hans or en, for `text`"},
        },
    },
    "Estimate": {
        "type": "object",
        "required": [
            "region",
            "policy_year",
            "years_remaining",
            "contribution_years",
            "eligible",
            "shortfall_years",
            "account_at_claim",
            "monthly_basic",
            "monthly_account",
            "monthly_total",
            "total_paid",
            "payback_years",
            "by_grade",
            "assumptions",
            "text",
            "balance_rebuilt",
            "required_years",
            "catchup",
            "unconfirmed",
            "basis",
        ],
        "properties": {
            "region": CODE,
            "policy_year": {"type": "integer"},
            "as_of": {"type": ["string", "null"]},
            "age": {"type": "integer"},
            "grade": MONEY,
            "years_paid": {"type": "integer"},
            "past_grade": MONEY,
            "balance": MONEY,
            "balance_rebuilt": {"type": "boolean"},
            "years_remaining": {"type": "integer", "minimum": 0},
            "contribution_years": {"type": "integer", "minimum": 0},
            "required_years": {"type": "integer"},
            "eligible": {"type": "boolean"},
            "shortfall_years": {"type": "integer", "minimum": 0},
            "account_at_claim": MONEY,
            "monthly_basic": MONEY,
            "monthly_account": MONEY,
            "monthly_total": MONEY,
            "total_paid": MONEY,
            "payback_years": TENTH,
            "catchup": CATCHUP,
            "by_grade": {"type": "array", "minItems": 1, "items": GRADE_ROW},
            "options": {"type": "object"},
            "assumptions": {
                "type": "object",
                "required": ["interest_rate", "divisor", "claim_age"],
                "properties": {
                    "interest_rate": {"type": "string"},
                    "divisor": {"type": "integer"},
                    "claim_age": {"type": "integer"},
                },
            },
            "unconfirmed": {"type": "array", "items": {"type": "string"}, "description": "dotted paths of unconfirmed figures"},
            "basis": BASIS,
            "text": {"type": "string", "minLength": 1, "description": "an SMS-ready summary"},
            "locale": {"type": "string", "enum": ["zh-Hans", "en"]},
        },
    },  # fmt: skip
    "RegionList": {
        "type": "object",
        "required": ["regions"],
        "properties": {
            "regions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "name", "parent", "version"],
                    "properties": {
                        "code": CODE,
                        "name": NAMES,
                        "parent": {"type": ["string", "null"]},
                        "version": {"type": "integer"},
                    },
                },
            }
        },
    },  # fmt: skip
    "Region": {
        "type": "object",
        "description": "the place's effective policy: its own values over its ancestors'",
        "required": ["code", "name", "basis", "version"],
        "properties": {
            "code": CODE,
            "name": NAMES,
            "basis": BASIS,
            "version": {"type": "integer"},
            "parent": {"type": ["string", "null"]},
            "pension": {"type": "object"},
            "medical": {"type": "object"},
            "unconfirmed": {"type": "array", "items": {"type": "string"}},
        },
    },  # fmt: skip
}


def _json(schema: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def document() -> dict:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Nongbao JSON API",
            "version": "1",
            "description": "Messages from any chat channel answered like SMS, the pension estimate and the regions' "
            'policies. Errors are JSON: {"error": {"code", "message", "field"}}.',
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/messages": {
                "post": {
                    "operationId": "postMessage",
                    "summary": "A message from a contact on any chat channel, answered like an SMS",
                    "requestBody": {"required": True, "content": _json("MessageRequest")},
                    "responses": {
                        "200": {"description": "The reply", "content": _json("MessageReply")},
                        **_errors(400, 401, 413, 429),
                    },
                }
            },
            "/api/v1/pension/estimate": {
                "post": {
                    "operationId": "estimatePension",
                    "summary": "A personal pension estimate for every grade of the region",
                    "requestBody": {"required": True, "content": _json("EstimateRequest")},
                    "responses": {
                        "200": {"description": "The estimate", "content": _json("Estimate")},
                        **_errors(400, 401, 404, 413, 429),
                    },
                }
            },
            "/api/v1/regions": {
                "get": {
                    "operationId": "listRegions",
                    "summary": "The loaded regions (those with a file)",
                    "responses": {"200": {"description": "The regions", "content": _json("RegionList")}, **_errors(401, 429)},
                }
            },
            "/api/v1/regions/{code}": {
                "get": {
                    "operationId": "getRegion",
                    "summary": "Any place's effective policy, with whose figures they are",
                    "parameters": [
                        {"name": "code", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{6}$"}}
                    ],
                    "responses": {"200": {"description": "The policy", "content": _json("Region")}, **_errors(401, 404, 429)},
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapiDocument",
                    "summary": "This document (no token needed)",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "one of API_TOKENS"}},
            "schemas": SCHEMAS,
        },
    }
