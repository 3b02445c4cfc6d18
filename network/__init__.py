"""Fellowship Network: mentors, alumni, opportunities and discussions for fellowship programs."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

# The app factory sits above every area: it imports each one's blueprint and hooks (tests/test_import_layers.py).
from network import models  # noqa: F401  (registers every model with the metadata)
from network.access import enforce_access
from network.admin.routes import bp as admin_bp
from network.api import init_api
from network.auth.routes import bp as auth_bp
from network.auth.services import load_session_user
from network.auth.sessions import expire_stale_session, keep_waiting_messages_distinct, require_two_factor
from network.cache import init_cache
from network.classmates.routes import bp as classmates_bp
from network.cli import register_commands
from network.cockpit.routes import bp as cockpit_bp
from network.cohorts.routes import bp as cohorts_bp
from network.config import CONFIGS, deployment_from_environment, fatal_settings, trusted_hosts
from network.database import commit_read_only_requests, configure_sqlite
from network.discussions.routes import bp as discussions_bp
from network.errors import register_error_handlers
from network.evaluation.routes import bp as evaluation_bp
from network.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
from network.identity.routes import bp as identity_bp
from network.integers import BoundedIntegerConverter
from network.logging import configure_logging
from network.mail.routes import bp as mail_bp
from network.main.routes import bp as main_bp
from network.matching.routes import bp as matching_bp
from network.mentorship.routes import bp as mentorship_bp
from network.messages.routes import bp as messages_bp
from network.notifications.routes import bp as notifications_bp
from network.opportunities.routes import bp as opportunities_bp
from network.profiles.routes import bp as profiles_bp
from network.programs.routes import bp as programs_bp
from network.scholarly.routes import bp as scholarly_bp
from network.scholarly_exports.routes import bp as scholarly_exports_bp
from network.security import limit_plain_form_size, set_hsts, set_security_headers
from network.surveys.routes import bp as surveys_bp
from network.templating import register_template_helpers


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: defaults, then ``FLASK_*`` and ``DATABASE_URL``, then ``overrides``."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_relative_config=True)
    # Before any route is added: every <int:...> is bounded to what an id column holds (else a 404).
    app.url_map.converters["int"] = BoundedIntegerConverter
    deployment = deployment_from_environment(overrides)
    if deployment not in CONFIGS:
        raise RuntimeError(f"FLASK_DEPLOYMENT must be one of {', '.join(CONFIGS)}, not {deployment!r}")
    app.config.from_object(CONFIGS[deployment])
    app.config.from_prefixed_env()
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("REDIS_URL") and not os.environ.get("FLASK_RATELIMIT_STORAGE_URI"):
        # Shared by every app process: rate-limit counters never live in one process's memory.
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
    app.config.update(overrides or {})
    _finish_config(app)

    _init_logging(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)
    _register_cli(app)
    return app


def _finish_config(app: Flask) -> None:
    config = app.config
    if config["DEPLOYMENT"] == "production":
        fatal = fatal_settings(config)
        if fatal:
            raise RuntimeError("Refusing to start in production:\n" + "\n".join(f"  UNSAFE  {p}" for p in fatal))
        # Requests for any other Host get a 400 (network/errors.py), before a route or a link sees them.
        config["TRUSTED_HOSTS"] = trusted_hosts(config)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "network.db")
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith(("postgres://", "postgresql://")):
        # Heroku-style URLs: use psycopg 3, the driver we ship.
        config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.split("://", 1)[1]
    engine_options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        engine_options.setdefault("connect_args", {}).setdefault("timeout", config["SQLITE_BUSY_TIMEOUT_MS"] / 1000)
    else:
        engine_options.setdefault("pool_pre_ping", True)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options


def _init_logging(app: Flask) -> None:
    # Our handler on the root logger, JSON or text, each line with the request id (network/logging.py).
    # (The package's ``logging`` attribute is that submodule, so the standard library is not imported here.)
    configure_logging(app)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    init_cache(app)
    commit_read_only_requests(app, db)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(identity_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(profiles_bp, url_prefix="/members")
    app.register_blueprint(discussions_bp, url_prefix="/discussions")
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    app.register_blueprint(mentorship_bp, url_prefix="/mentorship")
    app.register_blueprint(opportunities_bp, url_prefix="/opportunities")
    app.register_blueprint(programs_bp, url_prefix="/programs")
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(messages_bp, url_prefix="/messages")
    app.register_blueprint(mail_bp, url_prefix="/admin/outbox")
    app.register_blueprint(matching_bp, url_prefix="/matching")
    app.register_blueprint(surveys_bp)
    app.register_blueprint(evaluation_bp, url_prefix="/programs")
    app.register_blueprint(classmates_bp)
    app.register_blueprint(cockpit_bp, url_prefix="/programs")
    app.register_blueprint(scholarly_bp, url_prefix="/scholarly")
    app.register_blueprint(scholarly_exports_bp)
    init_api(app)  # /api/v1, its OpenAPI document and /api/docs
    # (each feature area registers its blueprint on its own line above this comment)


def _register_hooks(app: Flask) -> None:
    app.before_request(limit_plain_form_size)
    app.before_request(expire_stale_session)
    app.before_request(require_two_factor)
    app.before_request(enforce_access)
    app.after_request(set_security_headers)
    app.after_request(keep_waiting_messages_distinct)
    if app.config["SESSION_COOKIE_SECURE"]:
        app.after_request(set_hsts)
    register_error_handlers(app)
    register_template_helpers(app)
    if app.config["PROXY_COUNT"]:
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _register_cli(app: Flask) -> None:
    register_commands(app)
