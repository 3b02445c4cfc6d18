"""The administrators' blueprint; its views live in the page-group modules of this package."""

from flask import Blueprint

bp = Blueprint("admin", __name__)
