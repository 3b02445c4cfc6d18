"""Things every template can use."""

from network import permissions
from network.members.models import Role
from network.text.markdown import render_markdown


def register_template_helpers(app) -> None:
    app.jinja_env.globals.update(permissions=permissions, Role=Role)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
