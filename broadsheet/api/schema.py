"""The API's OpenAPI document: only /api/v1/ (Wagtail's admin API is not ours to publish).

`manage.py api_schema` writes it to broadsheet/api/openapi.json; a test holds the served
schema to that file, so a change to the API shows in review as a change to the file.
"""

from __future__ import annotations

from pathlib import Path

SCHEMA_FILE = Path(__file__).resolve().parent / "openapi.json"


def only_the_api(endpoints):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def schema_document() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; `detail` is in the edition's language.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "description": "Per field, what is wrong with it."},
    },
    "required": ["type", "title", "status", "detail"],
}


# What each query parameter accepts, as the views check it (drf-spectacular's parameters take
# no bounds): so that a client, and the contract tests, know the valid range.
QUERY_BOUNDS = {
    ("articles", "limit"): {"type": "integer", "minimum": 1, "maximum": 100},
    ("most-viewed", "limit"): {"type": "integer", "minimum": 1, "maximum": 50},
    ("most-viewed", "hours"): {"type": "integer", "enum": [24, 168]},
    ("search", "page"): {"type": "integer", "minimum": 1, "maximum": 10},
    ("search", "q"): {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
    ("articles", "cursor"): {"type": "string", "maxLength": 200},
}


def problems_and_editions(result, generator, request, public):
    """Every error is application/problem+json; `edition` is one of the site's editions and
    an article id a positive 64-bit integer."""
    from django.conf import settings

    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                where = path.rstrip("/").rsplit("/", 1)[-1]
                bounds = QUERY_BOUNDS.get((where, parameter["name"]))
                if parameter.get("in") == "query" and bounds:
                    parameter["schema"] = bounds
                if parameter.get("in") != "path":
                    continue
                if parameter["name"] == "edition":
                    parameter["schema"] = {
                        "type": "string",
                        "enum": [code for code, _name in settings.LANGUAGES],
                    }
                elif parameter["name"] == "article_id":
                    parameter["schema"] = {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": 2**63 - 1,
                    }
            if "/me/" in path and not path.endswith("/sign-in/"):
                # The reader's part answers readers who are not signed in too (the meter):
                # only the slot's actions and signing out need the token.
                needs_token = path.endswith(("/read-here/", "/heartbeat/", "/sign-out/"))
                operation["security"] = (
                    [{"appToken": []}]
                    if needs_token
                    else [
                        {"appToken": []},
                        {},
                    ]
                )
            responses = operation.setdefault("responses", {})
            if "/me/" in path:
                responses.setdefault("401", {"description": "Not signed in"})
            for code in ("400", "404", "429"):
                responses.setdefault(code, {"description": "A problem"})
            for code, response in responses.items():
                if int(code) >= 400:
                    response["content"] = problem
    return result
