"""The profiles blueprint; its views live in the page-group modules of this package."""

from flask import Blueprint

bp = Blueprint("profiles", __name__)
