"""Staff sign-in: Flask-Login sessions, argon2 passwords, a lockout after five wrong passwords, a limit per address,
roles (admin, editor, viewer) and region scope, and the audit log every change writes to."""

import datetime
from dataclasses import dataclass
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user

from .. import places
from ..web import now, store
from . import bp

ROLES = ("admin", "editor", "viewer")  # admin: everything; editor: edits its region; viewer: reads its region
LOCK_AFTER = 5  # wrong passwords in a row that lock an account
LOCK_FOR = datetime.timedelta(minutes=15)
ADDRESS_LIMIT = 20  # failed logins from one address in LOCK_FOR before it must wait
hasher = PasswordHasher()
login_manager = LoginManager()
login_manager.login_view = "admin.login"


@dataclass
class Staff(UserMixin):
    """A signed-in staff member: a role and, for editors and viewers, the region they look after."""

    id: int
    username: str
    role: str
    region: str | None

    def get_id(self) -> str:
        return str(self.id)

    @property
    def row(self) -> dict:
        return {"id": self.id, "username": self.username}

    def covers(self, code: str | None) -> bool:
        """Whether this account may see a place: admins everything, others their region and the places under it."""
        if self.role == "admin" or not self.region:
            return self.role == "admin"
        return places.within(code, self.region)

    def may_edit(self, code: str | None) -> bool:
        return self.role == "admin" or (self.role == "editor" and self.covers(code))


@login_manager.user_loader
def load_staff(staff_id: str) -> Staff | None:
    row = store().staff_by_id(int(staff_id)) if staff_id.isdigit() else None
    return Staff(row["id"], row["username"], row["role"], row["region"]) if row else None


def hash_password(password: str) -> str:
    return hasher.hash(password)


def require_edit(code: str | None):
    """403 unless the signed-in account may change this place's content."""
    if not current_user.may_edit(code):
        abort(403)


def require_view(code: str | None):
    if not current_user.covers(code):
        abort(403)


def admin_only(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.role != "admin":
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def audit(action: str, target: str, before=None, after=None):
    """Write the change to the audit log (who, when, what, before and after)."""
    store().audit(current_user.row if current_user.is_authenticated else None, action, target, before, after, now())


@bp.before_request
def signed_in_only():
    """Every admin page but the login form needs a signed-in account."""
    if request.endpoint in ("admin.login", "admin.static"):
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    g.staff = current_user
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form (fields username and password)."""
    if request.method == "GET":
        return render_template("admin/login.html")
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    address = request.remote_addr or "unknown"
    moment, storage = now(), store()
    if storage.login_attempts_since(address, moment - LOCK_FOR) >= ADDRESS_LIMIT:
        flash(_("Too many failed sign-ins from this address. Try again later."), "error")
        return render_template("admin/login.html"), 429
    row = storage.staff(username)
    locked = row and row["locked_until"] and datetime.datetime.fromisoformat(row["locked_until"]) > moment
    if locked:
        storage.record_login_attempt(address, username, False, moment)
        flash(_("This account is locked for a while after too many wrong passwords."), "error")
        return render_template("admin/login.html"), 423
    if not row or not _verify(row["password_hash"], password):
        storage.record_login_attempt(address, username, False, moment)
        if row and storage.login_failed(row["id"], LOCK_AFTER, LOCK_FOR, moment):
            storage.audit({"id": row["id"], "username": username}, "locked", f"staff {username}", None, None, moment)
        flash(_("Wrong username or password."), "error")
        return render_template("admin/login.html"), 401
    storage.record_login_attempt(address, username, True, moment)
    storage.login_succeeded(row["id"], moment)
    login_user(Staff(row["id"], row["username"], row["role"], row["region"]))
    storage.audit({"id": row["id"], "username": username}, "login", f"staff {username}", None, None, moment)
    return redirect(_safe_next() or url_for("admin.home"))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def _safe_next() -> str | None:
    target = request.args.get("next") or ""
    return target if target.startswith("/admin/") and not target.startswith("//") else None


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("admin.login"))


@bp.get("/")
def home():
    """The start page: what staff can do, for their region."""
    return render_template("admin/home.html")


def init_app(app):
    """Sessions for staff: Flask-Login, with HttpOnly and SameSite cookies."""
    login_manager.init_app(app)
    for name, value in (("SESSION_COOKIE_HTTPONLY", True), ("SESSION_COOKIE_SAMESITE", "Lax"),
                        ("REMEMBER_COOKIE_HTTPONLY", True), ("REMEMBER_COOKIE_SAMESITE", "Lax")):  # fmt: skip
        if app.config.get(name) in (None, False):
            app.config[name] = value
