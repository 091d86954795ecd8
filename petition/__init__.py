"""The petition platform: `create_app` builds the Flask application."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from petition import database, extensions
from petition.config import Settings

PACKAGE_ROOT = Path(__file__).resolve().parent


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment; `overrides` win (tests use them)."""
    overrides = overrides or {}
    app = Flask(__name__, instance_relative_config=True, instance_path=_instance_path())
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    settings = Settings.from_env(instance, secret_key=overrides.get("SECRET_KEY"))
    app.config.update(settings.as_flask_config())
    app.config.update(overrides)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **database.ENGINE_OPTIONS,
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PACKAGE_ROOT / "translations")

    from petition import cli, errors, logs, metrics, page_cache, security
    from petition.delivery.pdf import require_fonts
    from petition.i18n import require_catalogues

    require_catalogues(PACKAGE_ROOT / "translations")  # start in every language, or not at all
    require_fonts(Path(app.config["PDF_FONT_DIR"]))

    app.url_map.converters["int"] = database.RowId  # before any route is added
    page_cache.register(app)  # kept copies of public pages answer before Flask does any work
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]
    logs.register(app)  # first: every later hook's log lines carry the request id
    metrics.register(app)  # its timer starts before any other hook runs, its count after all
    security.register(app)  # before the extensions, so its checks run before they read the body
    _init_extensions(app)
    _register_blueprints(app)
    from petition.i18n import language_links
    from petition.staff.menu import staff_menu
    from petition.staff.permissions import Permission, can

    app.jinja_env.globals.update(
        language_links=language_links,
        staff_menu=staff_menu,
        can=can,
        Permission=Permission,
        get_locale=get_locale,
    )
    errors.register(app)
    cli.register(app)
    return app


def _instance_path() -> str | None:
    """`INSTANCE_PATH` from the environment; else Flask's (`instance/` beside a checkout,
    `<prefix>/var/petition-instance` for an installed package)."""
    configured = os.environ.get("INSTANCE_PATH")
    return str(Path(configured).resolve()) if configured else None


def _init_extensions(app: Flask) -> None:
    from petition.i18n import select_locale
    from petition.staff.sign_in.views import load_signed_in_staff

    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=str(PACKAGE_ROOT / "migrations"), render_as_batch=True
    )
    extensions.mail.init_app(app)
    extensions.csrf.init_app(app)
    extensions.babel.init_app(app, locale_selector=select_locale)
    extensions.limiter.init_app(app)
    _limit_only_decorated_views(app)
    extensions.login_manager.init_app(app)
    extensions.login_manager.login_view = "staff.sign_in"
    extensions.login_manager.user_loader(load_signed_in_staff)
    database.configure_engine(app)


def _limit_only_decorated_views(app: Flask) -> None:
    """Flask-Limiter keeps only limits that decorate staff views, and a decorated view checks
    its limits as it is called; the check Flask-Limiter also runs before every request (a
    look-up of limits, on every signing POST) finds nothing more, so it goes. Its hooks
    after the view (the counting of `deduct_when`) and after the request run for staff
    pages only. A limit on another blueprint or a default limit would need them back. (The
    public forms' budgets are `public_limits`'.)"""
    limiter = extensions.limiter
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    [counting] = [hook for hook in app.after_request_funcs[None] if _of_limiter(hook)]
    app.after_request_funcs[None].remove(counting)
    app.after_request_funcs.setdefault("staff", []).append(counting)
    release = limiter._Limiter__release_context  # type: ignore[attr-defined]
    app.teardown_request_funcs[None].remove(release)
    app.teardown_request_funcs.setdefault("staff", []).append(release)


def _of_limiter(hook: Any) -> bool:
    return isinstance(hook, partial) and hook.args == (extensions.limiter,)


def _register_blueprints(app: Flask) -> None:
    from petition.api.views import bp as api_bp
    from petition.campaigns.embed_views import bp as embed_bp
    from petition.campaigns.views import bp as campaigns_bp
    from petition.coalition.logo_views import bp as logos_bp
    from petition.coalition.views import bp as coalition_bp
    from petition.ops import bp as ops_bp
    from petition.public_limits import limit_public_forms
    from petition.signing.manage_views import bp as signature_bp
    from petition.signing.views import bp as signing_bp
    from petition.staff.views import bp as staff_bp

    blueprints = (
        ops_bp,
        api_bp,
        logos_bp,
        campaigns_bp,
        embed_bp,
        signing_bp,
        signature_bp,
        coalition_bp,
        staff_bp,
    )
    limit_public_forms(app, signing_bp, signature_bp, coalition_bp)
    for bp in blueprints:
        app.register_blueprint(bp)
