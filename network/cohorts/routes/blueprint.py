"""The cohorts blueprint; its views are in the sibling modules, a module per page group."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cohorts", __name__)
