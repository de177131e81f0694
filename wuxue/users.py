"""Accounts and roles, stored in the app database: salted scrypt hashes, opaque bearer tokens.

Roles are ordered: member < leader < admin; a higher role can do everything a lower one can.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
from dataclasses import dataclass

from wuxue.sqlite_db import SqliteStore

from wuxue.errors import AuthError, UnknownRoleError, UnknownUserError, UserExistsError, WeakPasswordError

ROLES = ("member", "leader", "admin")
TOKEN_LIFETIME_SECONDS = 12 * 3600
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
    expires_at REAL NOT NULL
);
"""


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


class UserStore(SqliteStore):
    schema = SCHEMA

    def __init__(self, path) -> None:  # type: ignore[no-untyped-def]
        super().__init__(path)
        _dummy_hash()  # paid at start-up, not by the first login with an unknown name

    def add(self, username: str, role: str, password: str) -> User:
        if role not in ROLES:
            raise UnknownRoleError(f"未知角色：{role}（可选 {'、'.join(ROLES)}）")
        _check_password(password)
        try:
            with self._lock, self._db:
                self._db.execute("INSERT INTO users (username, role, password_hash) VALUES (?,?,?)", [username, role, hash_password(password)])
        except sqlite3.IntegrityError as exc:
            raise UserExistsError(f"用户已存在：{username}") from exc
        return User(username, role)

    def set_password(self, username: str, password: str) -> None:
        _check_password(password)
        with self._lock, self._db:
            changed = self._db.execute("UPDATE users SET password_hash = ? WHERE username = ?", [hash_password(password), username]).rowcount
            self._db.execute("DELETE FROM tokens WHERE username = ?", [username])
        if not changed:
            raise UnknownUserError(f"用户不存在：{username}")

    def list(self) -> list[User]:
        with self._lock:
            rows = self._db.execute("SELECT username, role, created_at FROM users ORDER BY created_at, username").fetchall()
        return [User(*row) for row in rows]

    def has_admin(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM users WHERE role = 'admin'").fetchone() is not None

    def authenticate(self, username: str, password: str) -> User:
        with self._lock:
            row = self._db.execute("SELECT username, role, created_at, password_hash FROM users WHERE username = ?", [username]).fetchone()
        # Unknown names run the same hash as known ones: timing must not reveal which names exist.
        matches = verify_password(password, row[3] if row is not None else _dummy_hash())
        if row is None or not matches:
            raise AuthError("用户名或密码错误")
        return User(row[0], row[1], row[2])

    def issue_token(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock, self._db:
            self._db.execute("DELETE FROM tokens WHERE expires_at < ?", [time.time()])
            self._db.execute("INSERT INTO tokens VALUES (?,?,?)", [_token_hash(token), user.username, time.time() + TOKEN_LIFETIME_SECONDS])
        return token

    def user_for_token(self, token: str) -> User:
        with self._lock:
            row = self._db.execute(
                "SELECT u.username, u.role, u.created_at FROM tokens t JOIN users u USING (username) WHERE t.token_hash = ? AND t.expires_at > ?",
                [_token_hash(token), time.time()],
            ).fetchone()
        if row is None:
            raise AuthError("登录已失效，请重新登录")
        return User(*row)

    def revoke(self, token: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM tokens WHERE token_hash = ?", [_token_hash(token)])


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
