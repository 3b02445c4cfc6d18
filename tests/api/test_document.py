"""The OpenAPI document lists each operation's statuses, so a client (and schemathesis's status check) can trust
it: no catch-all ``default`` response, and the statuses the framework answers for any operation are there."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Blueprint

from network.api.spec import FrameworkResponses, make_api
from network.integers import DB_INT_MAX, BoundedIntegerConverter
from tests.api.helpers import bearer, issue_token

METHODS = ("get", "post", "put", "patch", "delete")


def operations(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_no_operation_lets_any_status_pass_as_documented(client):
    found = list(operations(client))
    assert found
    for path, method, operation in found:
        codes = set(operation["responses"])
        assert "default" not in codes, (method, path)
        assert {"400", "401", "403", "429"} <= codes, (method, path, codes)
        if "{" in path:
            assert "404" in codes, (method, path, codes)
        if "requestBody" in operation:
            assert "413" in codes, (method, path, codes)


def test_a_status_the_view_documents_is_kept_as_the_view_wrote_it():
    operation = {"responses": {404: "A thread you may not see", "200": {"description": "OK"}}}
    FrameworkResponses().operation_helper(path="/threads/{thread_id}", operations={"get": operation})
    assert operation["responses"][404] == "A thread you may not see"
    assert {401, 403, 429, 400} <= set(operation["responses"])


def test_the_answers_without_and_with_a_token_are_documented_problems(app, client, make_user):
    spec = client.get("/api/v1/openapi.json").get_json()
    me = spec["paths"]["/api/v1/me"]["get"]["responses"]
    refused = client.get("/api/v1/me")
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert me["401"] == {"$ref": "#/components/responses/UNAUTHORIZED"}
    unauthorized = spec["components"]["responses"]["UNAUTHORIZED"]
    assert list(unauthorized["content"]) == ["application/problem+json"]
    pending = client.get("/api/v1/me", headers=bearer(issue_token(app, make_user(status="pending"))))
    assert pending.status_code == 403 and "403" in me


def test_an_id_in_a_path_is_documented_as_the_integers_the_route_matches():
    app = Flask(__name__)
    app.url_map.converters["int"] = BoundedIntegerConverter
    api = make_api(app)
    blp = Blueprint("things", __name__, url_prefix="/api/v1/things")

    @blp.route("/<int:thing_id>")
    @blp.response(200)
    def thing(thing_id):
        return {}

    api.register_blueprint(blp)
    parameter = api.spec.to_dict()["paths"]["/api/v1/things/{thing_id}"]["parameters"][0]
    assert parameter["in"] == "path" and parameter["name"] == "thing_id"
    assert parameter["schema"] == {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX}
    assert "404" in api.spec.to_dict()["paths"]["/api/v1/things/{thing_id}"]["get"]["responses"]
