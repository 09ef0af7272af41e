"""Every API answer in the test suite is checked against the OpenAPI schema (test settings add this
middleware): the status must be declared for the operation and the JSON body must match its schema.
A mismatch fails the test that made the request, so the schema cannot drift from what the API does.

The OpenAPI 3.0 schema is turned into JSON Schema once (``nullable`` becomes a union with null) and
checked with `jsonschema`; the counts go to the assurance report (C6)."""

import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse

from jsonschema import Draft202012Validator

from tests.assurance import FIGURES

CHECKED = "C6 API answers checked against the schema"
MISMATCHES = "C6 API answers not matching the schema"


class SchemaMismatch(AssertionError):
    pass


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects to JSON Schema: `nullable: true` becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(schema, default=str))


@lru_cache(maxsize=1)
def _converted() -> dict[str, Any]:
    document = _document()
    return {"components": _json_schema(document.get("components", {}))}


def _path_template(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def check(request: HttpRequest, response: HttpResponse) -> None:
    match = request.resolver_match
    if match is None or not request.path.startswith("/api/v1/"):
        return
    template = _path_template(match.route)
    method = request.method.lower() if request.method else "get"
    if method in ("head", "options"):
        return
    operation = _document()["paths"].get(template, {}).get(method)
    problem = None
    if operation is None:
        # a method the path does not have: refused before or at dispatch (401/403 when the caller is
        # not let in at all, else 405), never answered
        if response.status_code not in (401, 403, 405) or template not in _document()["paths"]:
            problem = f"{method.upper()} {template} is not in the schema (answered {response.status_code})"
    else:
        responses = operation.get("responses", {})
        status = str(response.status_code)
        declared = responses.get(status) or responses.get("default")
        if declared is None:
            problem = f"{method.upper()} {template}: status {status} is not declared (declared: {sorted(responses)})"
        else:
            content = declared.get("content", {})
            body = response.content
            if content.get("application/json") and body:
                schema = _json_schema(content["application/json"].get("schema", {}))
                validator = Draft202012Validator({**schema, **_converted()})
                errors = sorted(validator.iter_errors(json.loads(body)), key=lambda e: list(e.absolute_path))
                if errors:
                    first = errors[0]
                    where = "/".join(str(p) for p in first.absolute_path)
                    problem = f"{method.upper()} {template} {status}: at '{where}': {first.message[:300]}"
    FIGURES.add(CHECKED)
    if problem:
        FIGURES.add(MISMATCHES)
        raise SchemaMismatch(problem)


class ResponseMatchesSchema:
    """Test-only middleware (config.settings.test): check each API answer before the test sees it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(response, "streaming", False):
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/json") or (
            request.path.startswith("/api/v1/") and response.status_code != 204 and not content_type
        ):
            check(request, response)
        return response
