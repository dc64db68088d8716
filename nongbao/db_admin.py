"""SQL of the staff side: accounts, login attempts and the audit log (a mixin of Storage)."""

import datetime
import json

from .times import iso


class AdminStorage:
    """Named reads and writes for staff accounts and what they did."""

    def staff(self, username: str) -> dict | None:
        return self._one("select * from staff where username = ?", [username])

    def staff_by_id(self, staff_id: int) -> dict | None:
        return self._one("select * from staff where id = ?", [staff_id])

    def save_staff(self, username: str, password_hash: str, role: str, region: str | None, now) -> int:
        """Add a staff account, or change its password, role and region."""
        existing = self.staff(username)
        fields = {"password_hash": password_hash, "role": role, "region": region, "failed_logins": 0,
                  "locked_until": None, "updated_at": iso(now)}  # fmt: skip
        if existing:
            self._update("staff", existing["id"], fields)
            return existing["id"]
        return self._insert("staff", {"username": username, "created_at": iso(now), **fields})

    def login_failed(self, staff_id: int, lock_after: int, lock_for: datetime.timedelta, now) -> bool:
        """Count a wrong password; lock the account after too many. True when this locks it."""
        row = self.staff_by_id(staff_id)
        failures = (row["failed_logins"] or 0) + 1
        locked = failures >= lock_after
        self._update("staff", staff_id, {"failed_logins": 0 if locked else failures,
                                         "locked_until": iso(now + lock_for) if locked else row["locked_until"],
                                         "updated_at": iso(now)})  # fmt: skip
        return locked

    def login_succeeded(self, staff_id: int, now):
        self._update("staff", staff_id, {"failed_logins": 0, "locked_until": None, "updated_at": iso(now)})

    def record_login_attempt(self, address: str, username: str, ok: bool, now):
        self._insert("login_attempts", {"address": address, "username": username[:100], "ok": int(ok), "created_at": iso(now)})

    def login_attempts_since(self, address: str, since) -> int:
        """Failed logins from one address since a moment (a limit per address, whatever the username)."""
        return self._one(
            "select count(*) n from login_attempts where address = ? and ok = 0 and created_at >= ?", [address, iso(since)]
        )["n"]

    def audit(self, staff: dict | None, action: str, target: str, before, after, now):
        """Write who changed what, when, with the values before and after."""
        self._insert("audit_log", {
            "staff_id": staff["id"] if staff else None, "username": staff["username"] if staff else None,
            "action": action, "target": target, "created_at": iso(now),
            "before": json.dumps(before, ensure_ascii=False, default=str) if before is not None else None,
            "after": json.dumps(after, ensure_ascii=False, default=str) if after is not None else None,
        })  # fmt: skip

    def audit_log(self, target: str | None = None, limit: int = 100) -> list[dict]:
        where, args = ("target = ?", [target]) if target else (None, [])
        return list(self.db["audit_log"].rows_where(where, args, order_by="id desc", limit=limit))
