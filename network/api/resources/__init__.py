"""The parts of the API, one module per family of resources; each makes its blueprint with ``api_blueprint``.

The modules are listed here, in the order the OpenAPI document and ``/api/docs`` show them.
"""

# isort: off
from network.api.resources import me  # noqa: F401
from network.api.resources import members, taxonomy  # noqa: F401
from network.api.resources import mentorship, mentorship_workspace  # noqa: F401
from network.api.resources import discussions, discussions_reading, discussions_writing  # noqa: F401
from network.api.resources import opportunities, notifications  # noqa: F401
from network.api.resources import programs, matching  # noqa: F401
from network.api.resources import scholarly  # noqa: F401
# isort: on
