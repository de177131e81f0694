"""Accounts and roles, stored in the app database: salted scrypt hashes, opaque bearer tokens.

Roles are ordered: member < leader < admin; a higher role can do everything a lower one can.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from wuxue.app_database import AppStore, Database
from wuxue.errors import WuxueError

ROLES = ("member", "leader", "admin")
TOKEN_LIFETIME_SECONDS = 12 * 3600
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}



class AuthError(WuxueError):
    code = "unauthorized"


class ForbiddenError(WuxueError):
    code = "forbidden"


class UserExistsError(WuxueError):
    code = "user_exists"


class UnknownUserError(WuxueError):
    code = "unknown_user"


class WeakPasswordError(WuxueError):
    code = "weak_password"


@dataclass(frozen=True)
class User:
    username: str
    role: str
    created_at: str = ""

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, n, salt, digest = stored.split("$")
    except ValueError:
        return False
    candidate = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=8, p=1, dklen=32)
    return hmac.compare_digest(candidate.hex(), digest)


_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    """A real hash of a random password, so an unknown user name costs one scrypt like a known one."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class UserStore(AppStore):
    """Users, their bearer tokens and failed logins: all in the app database, so every process sees the same."""

    def __init__(self, database: "Database | Path | str") -> None:
        super().__init__(database)
        _dummy_hash()  # paid at start-up, not by the first login with an unknown name

    def add(self, username: str, role: str, password: str) -> User:
        if role not in ROLES:
            raise WuxueError(f"未知角色：{role}（可选 {'、'.join(ROLES)}）")
        _check_password(password)
        try:
            with self.db.transaction() as tx:
                tx.execute("INSERT INTO users (username, role, password_hash) VALUES (?,?,?)", [username, role, hash_password(password)])
        except self.db.integrity_errors as exc:
            raise UserExistsError(f"用户已存在：{username}") from exc
        return User(username, role)

    def set_password(self, username: str, password: str) -> None:
        """A new password also ends every session of that user, in every process."""
        _check_password(password)
        with self.db.transaction() as tx:
            changed = tx.execute("UPDATE users SET password_hash = ? WHERE username = ?", [hash_password(password), username]).rowcount
            tx.execute("DELETE FROM tokens WHERE username = ?", [username])
        if not changed:
            raise UnknownUserError(f"用户不存在：{username}")

    def list(self) -> list[User]:
        with self.db.read() as tx:
            rows = tx.execute("SELECT username, role, created_at FROM users ORDER BY created_at, username").fetchall()
        return [User(*row) for row in rows]

    def has_admin(self) -> bool:
        with self.db.read() as tx:
            return tx.execute("SELECT 1 FROM users WHERE role = 'admin'").fetchone() is not None

    def authenticate(self, username: str, password: str) -> User:
        with self.db.read() as tx:
            row = tx.execute("SELECT username, role, created_at, password_hash FROM users WHERE username = ?", [username]).fetchone()
        # Unknown names run the same hash as known ones: timing must not reveal which names exist.
        matches = verify_password(password, row[3] if row is not None else _dummy_hash())
        if row is None or not matches:
            raise AuthError("用户名或密码错误")
        return User(row[0], row[1], row[2])

    def issue_token(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM tokens WHERE expires_at < ?", [time.time()])
            tx.execute("INSERT INTO tokens (token_hash, username, expires_at) VALUES (?,?,?)",
                       [_token_hash(token), user.username, time.time() + TOKEN_LIFETIME_SECONDS])
        return token

    def user_for_token(self, token: str) -> User:
        with self.db.read() as tx:
            row = tx.execute(
                "SELECT u.username, u.role, u.created_at FROM tokens t JOIN users u ON u.username = t.username "
                "WHERE t.token_hash = ? AND t.expires_at > ?",
                [_token_hash(token), time.time()],
            ).fetchone()
        if row is None:
            raise AuthError("登录已失效，请重新登录")
        return User(*row)

    def revoke(self, token: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM tokens WHERE token_hash = ?", [_token_hash(token)])

    # failed logins (the limits themselves are the HTTP edge's policy, service/auth.py) -----------------
    def record_login_failure(self, keys: "list[str]", at: float, *, keep_seconds: float) -> None:
        """Count one failed login under each key; failures older than ``keep_seconds`` are forgotten."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM login_failures WHERE at <= ?", [at - keep_seconds])
            for key in keys:
                tx.execute("INSERT INTO login_failures (key, at) VALUES (?,?)", [key, at])

    def nth_latest_login_failure(self, key: str, n: int, since: float) -> float | None:
        """When the ``n``-th most recent failure under ``key`` after ``since`` happened (None: fewer than ``n``)."""
        with self.db.read() as tx:
            row = tx.execute("SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
                             [key, since, n - 1]).fetchone()
        return None if row is None else float(row[0])

    def clear_login_failures(self, key: str) -> None:
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM login_failures WHERE key = ?", [key])


def login_key(*parts: str) -> str:
    """A failure-count key for a client, or a (client, user name) pair; unambiguous whatever the name contains."""
    return json.dumps(parts, ensure_ascii=False)


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise WeakPasswordError("密码至少 8 位")


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def ensure_admin(store: UserStore, password: str | None = None, username: str = "admin") -> str | None:
    """On a fresh install create the first admin; return the one-time password when we generated it."""
    if store.has_admin():
        return None
    generated = None if password else generate_password()
    store.add(username, "admin", password or generated)  # type: ignore[arg-type]
    return generated
