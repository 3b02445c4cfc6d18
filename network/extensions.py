"""Extensions, created unbound; ``create_app`` binds them to an app."""

from flask import current_app
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, registry

from network.types import TYPE_ANNOTATION_MAP

# Stable constraint names, so migrations agree on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map=TYPE_ANNOTATION_MAP)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def member_key() -> str:
    """Rate-limit key of the signed-in member (colleagues share hospital networks, so an address is too
    coarse), whichever address their requests come from; the address for anyone else."""
    return member_limit_key(getattr(current_user, "id", None) or get_remote_address())


def member_limit_key(member: int | str) -> str:
    """``member_key`` for a member known without a request (a reply by email)."""
    return f"member:{member}"


def configured_limit(key: str):
    """The rate limit named ``key`` in the app's config, read at request time: every limit has its default
    in ``Config`` (network/config.py) and a deployment or a test sets its own."""
    return lambda: current_app.config[key]

bootstrap = Bootstrap5()
