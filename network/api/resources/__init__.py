"""The parts of the API, one module per family of resources; each makes its blueprint with ``api_blueprint``.

The modules are listed here, in the order the OpenAPI document and ``/api/docs`` show them.
"""

from network.api.resources import matching, me, programs  # noqa: F401
