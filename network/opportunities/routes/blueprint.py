"""The opportunities blueprint; its views are in the modules beside this one."""

from flask import Blueprint

bp = Blueprint("opportunities", __name__)
