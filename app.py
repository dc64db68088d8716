"""Nongbao's application factory: `flask --app app run` serves it."""

import fcntl
import logging
from pathlib import Path

from flask import Flask, jsonify, request
from flask_babel import Babel, get_locale
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from nongbao import admin, cli, metrics
from nongbao.admin import auth
from nongbao.channels import api, twilio_sms, webchat
from nongbao.config import DEFAULTS, from_environment
from nongbao.db import Storage
from nongbao.i18n import CATALOG_NAMES, LOCALES_DIR
from nongbao.library import library
from nongbao.loader import limits_from, load_if_empty
from nongbao.web import close_store, error, store


def serve() -> Flask:
    """The app as gunicorn serves it (gunicorn.conf.py): content and matcher built before the workers fork."""
    app = create_app()
    warm(app)
    return app


def warm(app: Flask):
    """Build the content library and the intent matcher's tables now, not in each worker's first request."""
    storage = Storage.from_config(app.config)
    try:
        lib = library(storage)
        lib.matcher.route("养老保险交多少")
        lib.matcher.as_chinese("yanglao baoxian")
        lib.find_places("梅县")
    finally:
        storage.close()


def create_app(test_config=None) -> Flask:
    """Defaults, then environment variables, then the test mapping; the database is ready on return."""
    app = Flask(__name__, instance_relative_config=True)
    app.json.ensure_ascii = False  # Chinese replies stay readable in the JSON
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_mapping(from_environment(DEFAULTS))
    else:
        app.config.from_mapping(test_config)
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    check_production(app.config)
    if app.config["TRUSTED_PROXIES"]:
        count = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count)
    app.config["MAX_CONTENT_LENGTH"] = app.config.get("MAX_CONTENT_LENGTH") or 64 * 1024
    prepare_database(app)
    app.register_blueprint(twilio_sms.bp)
    app.register_blueprint(api.bp)
    csrf = CSRFProtect(app)  # every form of the admin and the web chat; machine callers are signed or hold tokens
    csrf.exempt(api.bp)
    csrf.exempt(twilio_sms.bp)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(LOCALES_DIR))
    Babel(app, locale_selector=page_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    auth.init_app(app)
    app.register_blueprint(admin.bp)
    app.register_blueprint(metrics.bp)  # /metrics for Prometheus (METRICS_TOKEN limits it)
    app.register_blueprint(webchat.bp)  # the farmer web chat at /, its forms under CSRF like the admin's
    app.teardown_appcontext(close_store)
    cli.register(app)
    register_errors(app)

    @app.after_request
    def security_headers(response):
        """A CSP without inline scripts, no framing, no sniffing, on every response."""
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.get("/healthz")
    def healthz():
        """Liveness and database reachability for load balancers."""
        mode = store().journal_mode()
        return jsonify({"status": "ok", "database": "ok", "journal_mode": mode})

    return app


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def check_production(config):
    """In production the app refuses to start on development secrets: they would let anyone forge sessions or webhooks."""
    if str(config.get("NONGBAO_ENV", "")).lower() != "production":
        return
    missing = [key for key in ("SECRET_KEY", "TWILIO_AUTH_TOKEN") if not config.get(key) or config[key] == DEFAULTS.get(key)]
    if missing:
        raise RuntimeError(f"NONGBAO_ENV=production needs {', '.join(missing)} from the environment")


def page_locale() -> str:
    """The language of staff and web chat pages: ?lang=, then the browser's preference, Chinese by default."""
    chosen = request.args.get("lang") or request.cookies.get("lang")
    if chosen in CATALOG_NAMES:
        return CATALOG_NAMES[chosen]
    best = request.accept_languages.best_match(["zh", "en"])
    return "en" if best == "en" else "zh_Hans"


def prepare_database(app: Flask):
    """Create and migrate the database, and load the shipped content into an empty one.

    A lock file next to the database makes workers that start together do this one at a time.
    """
    path = Path(app.config["DATABASE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".setup.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        storage = Storage(str(path), synchronous=app.config["SQLITE_SYNCHRONOUS"])  # a wrong setting stops the start
        try:
            storage.migrate()
            report = load_if_empty(storage, Path(app.config["CONTENT_DIR"]), limits_from(app.config))
            if report:
                app.logger.info("loaded %d content versions into a new database", len(report.created))
            check_default_region(storage, app.config["DEFAULT_REGION"])
        finally:
            storage.close()


def check_default_region(storage: Storage, code: str):
    """Warn when DEFAULT_REGION is not loaded: until it is, answers point to the local office instead of figures."""
    loaded = storage.regions_in_force()  # a cheap read: building the matcher here would slow every start
    if loaded and code not in loaded:
        logging.getLogger(__name__).warning(
            "DEFAULT_REGION %s is not a loaded region (loaded: %s); load it with `flask content load`",
            code, ", ".join(sorted(loaded)),
        )  # fmt: skip


def register_errors(app: Flask):
    """JSON errors for the API, never an HTML page or a stack trace."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            codes = {
                400: "bad_request",
                401: "unauthorized",
                404: "not_found",
                405: "method_not_allowed",
                413: "too_large",
                429: "too_many_requests",
            }
            return error(exc.code or 500, codes.get(exc.code, "error"), exc.description or exc.name)
        return exc

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            return error(500, "internal_error", "something went wrong on our side")
        return "Internal error", 500
