"""The matching blueprint: every page of ``/matching/`` registers on it, as ``matching.<view>``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("matching", __name__)
