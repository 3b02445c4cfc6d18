"""The accounts blueprint; its views live in the page-group modules of this package."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
