"""The ``discussions`` blueprint: every module of this package adds its views to ``bp``, so each endpoint
reads ``discussions.<view>``."""

from flask import Blueprint

bp = Blueprint("discussions", __name__)
