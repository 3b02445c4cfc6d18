"""The scholarly blueprint; its views live in the page-group modules of this package."""

from flask import Blueprint

bp = Blueprint("scholarly", __name__)
