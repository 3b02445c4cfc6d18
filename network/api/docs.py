"""``/api/docs``: the OpenAPI document as a page of the site, for people choosing or writing a client.

Rendered here from the same document as ``/api/v1/openapi.json`` (so it cannot drift from it), with the site's own
styles: no third-party script, nothing from another host, and the page passes the same accessibility checks as
every other page.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from network.access import public
from network.urls import API_ROOT

bp = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(schema: dict | None) -> str | None:
    ref = (schema or {}).get("$ref") or ((schema or {}).get("items") or {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def _operations(spec: dict) -> dict[str, list[dict]]:
    """The operations by tag, each with what a client needs: method, path, summary, scope, parameters, body and
    responses (schemas by name, linked to their section)."""
    by_tag: dict[str, list[dict]] = {tag["name"]: [] for tag in spec.get("tags", [])}
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = (operation.get("requestBody") or {}).get("content", {}).get("application/json", {})
            responses = []
            for code, response in operation.get("responses", {}).items():
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
                content = next(iter(response.get("content", {}).values()), {})
                responses.append({"code": code, "description": response.get("description", ""),
                                  "schema": _schema_name(content.get("schema")),
                                  "many": content.get("schema", {}).get("type") == "array"})
            security = operation.get("security") or spec.get("security") or []
            by_tag.setdefault(operation["tags"][0], []).append({
                "method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "scopes": sorted({scope for requirement in security for scopes in requirement.values()
                                  for scope in scopes}),
                "parameters": shared + operation.get("parameters", []),
                "body": _schema_name(body.get("schema")), "responses": responses,
                "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "")})
    return by_tag


@bp.route("/api/docs")
@public
def docs():
    """The API's operations and schemas, read from its OpenAPI document."""
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    return render_template("api/docs.html", spec=spec, operations=_operations(spec),
                           schemas=spec["components"].get("schemas", {}), openapi_url=f"{API_ROOT}/openapi.json",
                           descriptions={tag["name"]: tag.get("description", "") for tag in spec.get("tags", [])})
