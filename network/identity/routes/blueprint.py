"""The institutional sign-in blueprint (registered under /auth); its views live in this package's modules."""

from flask import Blueprint

bp = Blueprint("identity", __name__)
