"""Throwaway PostgreSQL, Redis and SMTP servers for the test suite, and the app itself served over HTTP.

Plain Python (no pytest dependency) so it can also be used from scripts::

    from tests.servers import start_postgres, start_redis, start_smtp

    pg = start_postgres()      # pg.url == "postgresql+psycopg://postgres@127.0.0.1:PORT/network_test"
    rd = start_redis()         # rd.url == "redis://127.0.0.1:PORT/0"
    mail = start_smtp()        # mail.host, mail.port, mail.messages, mail.wait_for(...)
    ...
    pg.stop(); rd.stop(); mail.stop()

Every server listens on 127.0.0.1 on a free port and lives in its own
temporary directory (``fn-pg-*`` / ``fn-redis-*`` under /dev/shm when it is a
roomy tmpfs, else /tmp; ``$FN_TEST_TMPDIR`` overrides).  ``stop()`` is
idempotent and never raises.  Cleanup if ``stop()`` is never called:

* an ``atexit`` hook stops everything on a normal interpreter exit;
* a small watchdog process per PostgreSQL/Redis server stops the server and
  removes its directory if this process dies abruptly (SIGKILL, SIGTERM,
  CI timeout) -- PostgreSQL is started by ``pg_ctl`` and would otherwise
  outlive us;
* redis-server additionally gets PR_SET_PDEATHSIG (via ``setpriv``).

As root, PostgreSQL runs as the ``postgres`` system user (via ``runuser``);
otherwise as the current user.  The superuser role is always ``postgres``,
authentication is ``trust``.

Errors:

* ``ServerUnavailable`` -- the server software is not installed (or cannot be
  run at all here, e.g. root without a ``postgres`` user).  Callers will
  typically turn this into a skip.
* ``ServerStartError`` -- the software is there but the server did not come
  up; the message contains the tail of the server log.  This is a real error.
"""

from __future__ import annotations

import atexit
import contextlib
import email
import email.policy
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable

from werkzeug.serving import make_server

__all__ = [
    "PostgresServer",
    "RedisServer",
    "Server",
    "ServerStartError",
    "LiveServer",
    "ServerUnavailable",
    "SmtpServer",
    "free_port",
    "start_postgres",
    "start_redis",
    "start_smtp",
    "stop_all",
]

DEFAULT_TIMEOUT = 30.0
PG_DATABASE = "network_test"
PG_USER = "postgres"
HOST = "127.0.0.1"


class ServerUnavailable(Exception):
    """The server software is missing / cannot be run on this machine."""


class ServerStartError(RuntimeError):
    """The server software exists but the server failed to start."""


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _tail(path: str | None, lines: int = 40) -> str:
    if not path:
        return "(no log)"
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            data = fh.read().splitlines()
    except OSError as exc:
        return f"(log {path} unreadable: {exc})"
    if not data:
        return f"(log {path} is empty)"
    return "\n".join(data[-lines:])


def _base_tmpdir() -> str:
    """Where throwaway server directories go.

    ``$FN_TEST_TMPDIR`` if set; otherwise /dev/shm when it is a world-writable
    tmpfs with at least 1 GiB free (CREATE DATABASE ... TEMPLATE is ~15x faster
    there than on a disk-backed /tmp, even with fsync=off); otherwise /tmp.
    Never under /root (the postgres user could not reach it).
    """
    override = os.environ.get("FN_TEST_TMPDIR")
    if override:
        return override
    shm = "/dev/shm"  # noqa: S108 (a base for mkdtemp, which makes a private directory in it)
    try:
        st = os.stat(shm)
        vfs = os.statvfs(shm)
        if (st.st_mode & 0o1777) == 0o1777 and vfs.f_bavail * vfs.f_frsize >= 1 << 30:
            return shm
    except OSError:
        pass
    return "/tmp"  # noqa: S108 (a base for mkdtemp, as above)


_live_lock = threading.Lock()
_live: list[Server] = []


def _register(server: Server) -> None:
    with _live_lock:
        _live.append(server)


def _unregister(server: Server) -> None:
    with _live_lock:
        if server in _live:
            _live.remove(server)


def stop_all() -> None:
    """Stop every server started by this module that is still running."""
    with _live_lock:
        servers = list(reversed(_live))
    for server in servers:
        server.stop()


atexit.register(stop_all)


# A tiny helper process that cleans up if *we* die without running atexit
# hooks (SIGKILL, SIGTERM, CI timeout, os._exit).  It blocks reading a pipe
# whose write end only this process holds; EOF without a prior "disarm" means
# we died, so it runs the cleanup commands, kills the given pids and removes
# the directories.  It runs in its own session so Ctrl-C does not reach it.
_WATCHDOG_CODE = r"""
import json, os, shutil, signal, subprocess, sys, time
spec = json.loads(sys.argv[1])
data = sys.stdin.buffer.read()
if data.startswith(b"disarm"):
    sys.exit(0)
for cmd in spec.get("cmds", []):
    try:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=30, cwd="/")
    except Exception:
        pass
for pid in spec.get("pids", []):
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            time.sleep(0.05)
            os.kill(pid, 0)
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
for path in spec.get("rmtree", []):
    shutil.rmtree(path, ignore_errors=True)
"""


class _Watchdog:
    def __init__(self, cmds=(), pids=(), rmtree=()):
        import json
        import sys

        spec = {"cmds": [list(c) for c in cmds], "pids": list(pids), "rmtree": list(rmtree)}
        self._proc: subprocess.Popen | None = None
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _WATCHDOG_CODE, json.dumps(spec)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                cwd="/", start_new_session=True, close_fds=True,
            )
        except OSError:
            self._proc = None  # best effort only

    def disarm(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.write(b"disarm")
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Server:
    """A running throwaway server.  ``url`` is what the app should be given."""

    name = "server"

    def __init__(self, url: str, host: str, port: int, workdir: str | None = None,
                 log_path: str | None = None):
        self.url = url
        self.host = host
        self.port = port
        self.workdir = workdir
        self.log_path = log_path
        self._stop_lock = threading.Lock()
        self._stopped = False
        self._watchdog: _Watchdog | None = None

    @property
    def stopped(self) -> bool:
        return self._stopped

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_path, lines)

    def stop(self) -> None:
        """Stop the server and remove its files.  Idempotent, never raises."""
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
        with contextlib.suppress(BaseException):  # never raise from stop()
            self._do_stop()
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        if self._watchdog is not None:
            with contextlib.suppress(BaseException):
                self._watchdog.disarm()
        _unregister(self)

    def _do_stop(self) -> None:  # pragma: no cover - overridden
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "running"
        return f"<{type(self).__name__} {self.url} {state}>"


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------

def _version_key(path: str):
    ver = os.path.basename(os.path.dirname(path))  # /usr/lib/postgresql/<ver>/bin
    return [int(p) if p.isdigit() else 0 for p in re.split(r"[.\-]", ver)]


def _find_pg_bindir() -> str:
    needed = ("initdb", "pg_ctl", "postgres")
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for bindir in candidates:
        if all(os.access(os.path.join(bindir, b), os.X_OK) for b in needed):
            return bindir
    raise ServerUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found under "
        "/usr/lib/postgresql/*/bin; install the Debian package postgresql"
    )


def _have_locale(name: str) -> bool:
    def norm(s: str) -> str:
        return s.lower().replace("-", "").replace("_", "")

    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return True  # cannot tell; try it and fall back on failure
    return norm(name) in {norm(line.strip()) for line in out.splitlines()}


class PostgresServer(Server):
    name = "postgres"

    def __init__(self, *, port: int, workdir: str, datadir: str, sockdir: str, log_path: str,
                 bindir: str, as_postgres_user: bool, database: str = PG_DATABASE):
        super().__init__(
            url=f"postgresql+psycopg://{PG_USER}@{HOST}:{port}/{database}",
            host=HOST, port=port, workdir=workdir, log_path=log_path,
        )
        self.database = database
        self.user = PG_USER
        self.datadir = datadir
        self.sockdir = sockdir
        self.bindir = bindir
        self._as_postgres_user = as_postgres_user

    @property
    def libpq_url(self) -> str:
        """Plain ``postgresql://`` URL (for psycopg.connect / psql)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def connect(self, database: str | None = None, **kwargs):
        """Return a psycopg connection (default: to the test database)."""
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=self.user,
                               dbname=database or self.database, **kwargs)

    def create_database(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE name [TEMPLATE template]; returns its SQLAlchemy URL."""
        from psycopg import sql

        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template))
        with self.connect("postgres", autocommit=True) as conn:
            conn.execute(query)
        return self.url_for(name)

    def _pg_ctl_stop(self) -> None:
        cmd = _pg_cmd([os.path.join(self.bindir, "pg_ctl"), "stop", "-D", self.datadir,
                       "-m", "immediate", "-w", "-t", "20"], self._as_postgres_user)
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=30, cwd=self.workdir, env=_pg_env())
        # Fallback: make sure the postmaster is really gone.
        pid = _postmaster_pid(self.datadir)
        if pid and _pid_alive(pid):
            for sig in (signal.SIGQUIT, signal.SIGKILL):
                try:
                    os.kill(pid, sig)
                except OSError:
                    break
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and _pid_alive(pid):
                    time.sleep(0.05)
                if not _pid_alive(pid):
                    break

    _do_stop = _pg_ctl_stop


def _postmaster_pid(datadir: str) -> int | None:
    try:
        with open(os.path.join(datadir, "postmaster.pid")) as fh:
            return int(fh.readline().strip())
    except (OSError, ValueError):
        return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie counts as dead.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _pg_cmd(cmd: list[str], as_postgres_user: bool) -> list[str]:
    if as_postgres_user:
        return ["runuser", "-u", PG_USER, "--"] + cmd
    return cmd


def _pg_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.pop("LC_ALL", None)
    env["LANG"] = "C"
    return env


def _run_logged(cmd: list[str], log_path: str, cwd: str, timeout: float) -> int:
    with open(log_path, "ab") as log:
        log.write(("$ " + " ".join(cmd) + "\n").encode())
        log.flush()
        try:
            return subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=cwd,
                                  env=_pg_env(), timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            log.write(f"(timed out after {timeout:.0f}s)\n".encode())
            return -1


def start_postgres(timeout: float = DEFAULT_TIMEOUT, database: str = PG_DATABASE) -> PostgresServer:
    """Start a throwaway PostgreSQL cluster and create ``database`` in it."""
    bindir = _find_pg_bindir()
    as_pg = os.geteuid() == 0
    pg_uid = pg_gid = None
    if as_pg:
        if shutil.which("runuser") is None:
            raise ServerUnavailable("running as root but `runuser` (util-linux) is missing; "
                                    "cannot start PostgreSQL as user postgres")
        import pwd

        try:
            pw = pwd.getpwnam(PG_USER)
        except KeyError:
            raise ServerUnavailable("running as root but there is no `postgres` system user; "
                                    "install the Debian package postgresql") from None
        pg_uid, pg_gid = pw.pw_uid, pw.pw_gid
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover
        raise ServerUnavailable(f"psycopg is not installed: {exc}") from exc

    workdir = tempfile.mkdtemp(prefix="fn-pg-", dir=_base_tmpdir())
    datadir = os.path.join(workdir, "data")
    sockdir = os.path.join(workdir, "sock")
    pg_log = os.path.join(workdir, "postgres.log")      # server log (pg_ctl -l)
    setup_log = os.path.join(workdir, "setup.log")      # initdb / pg_ctl output
    server: PostgresServer | None = None
    watchdog = _Watchdog(
        cmds=[_pg_cmd([os.path.join(bindir, "pg_ctl"), "stop", "-D", datadir, "-m", "immediate",
                       "-w", "-t", "20"], as_pg)],
        rmtree=[workdir],
    )

    def fail(what: str) -> ServerStartError:
        msg = (f"PostgreSQL {what}\n--- initdb/pg_ctl output ---\n{_tail(setup_log)}"
               f"\n--- server log ---\n{_tail(pg_log)}")
        if server is not None:
            server.stop()
        elif os.path.exists(os.path.join(datadir, "postmaster.pid")):
            # pg_ctl may have timed out while the postmaster is (still) running
            PostgresServer(port=0, workdir=workdir, datadir=datadir, sockdir=sockdir,
                           log_path=pg_log, bindir=bindir, as_postgres_user=as_pg).stop()
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        watchdog.disarm()
        return ServerStartError(msg)

    try:
        for d in (datadir, sockdir):
            os.mkdir(d, 0o700)
        if as_pg:
            for path in (workdir, datadir, sockdir):
                os.chown(path, pg_uid, pg_gid)
            # create log files owned by postgres so pg_ctl -l can write
            for path in (pg_log, setup_log):
                open(path, "a").close()
                os.chown(path, pg_uid, pg_gid)

        # ---- initdb ---------------------------------------------------------
        base = [os.path.join(bindir, "initdb"), "-D", datadir, "-A", "trust", "-U", PG_USER,
                "--encoding=UTF8", "--no-sync"]
        attempts = []
        if _have_locale("C.UTF-8"):
            attempts.append(base + ["--locale=C.UTF-8"])
        attempts.append(base + ["--no-locale"])
        for i, cmd in enumerate(attempts):
            if i:  # previous attempt failed: start from an empty data dir again
                shutil.rmtree(datadir, ignore_errors=True)
                os.mkdir(datadir, 0o700)
                if as_pg:
                    os.chown(datadir, pg_uid, pg_gid)
            rc = _run_logged(_pg_cmd(cmd, as_pg), setup_log, workdir, timeout)
            if rc == 0:
                break
        else:
            raise fail("initdb failed")

        # ---- start ---------------------------------------------------------
        port = None
        for _attempt in range(3):
            port = free_port()
            opts = (f"-k {sockdir} -c listen_addresses={HOST} -p {port} -c fsync=off "
                    f"-c synchronous_commit=off -c full_page_writes=off")
            cmd = [os.path.join(bindir, "pg_ctl"), "-D", datadir, "-w", "-t", str(int(timeout)),
                   "-l", pg_log, "-o", opts, "start"]
            rc = _run_logged(_pg_cmd(cmd, as_pg), setup_log, workdir, timeout + 5)
            if rc == 0:
                break
            if "already in use" not in _tail(pg_log, 20):
                raise fail(f"did not start (pg_ctl exit status {rc})")
            # port race lost: make sure nothing is left and try another port
            PostgresServer(port=port, workdir=workdir, datadir=datadir, sockdir=sockdir,
                           log_path=pg_log, bindir=bindir, as_postgres_user=as_pg)._pg_ctl_stop()
        else:
            raise fail("could not find a free port")

        server = PostgresServer(port=port, workdir=workdir, datadir=datadir, sockdir=sockdir,
                                log_path=pg_log, bindir=bindir, as_postgres_user=as_pg,
                                database=database)
        server._watchdog = watchdog
        _register(server)

        # ---- wait until it accepts TCP connections, then create the db ------
        deadline = time.monotonic() + timeout
        last_exc: BaseException | None = None
        while True:
            try:
                with psycopg.connect(host=HOST, port=port, user=PG_USER, dbname="postgres",
                                     autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f'CREATE DATABASE "{database}"')
                break
            except psycopg.OperationalError as exc:
                last_exc = exc
                if time.monotonic() > deadline:
                    raise fail(f"not accepting connections on {HOST}:{port}: {last_exc}") from exc
                time.sleep(0.1)
        return server
    except ServerStartError:
        raise
    except BaseException as exc:
        err = fail(f"start failed: {exc!r}")
        if isinstance(exc, Exception):
            raise err from exc
        raise


# --------------------------------------------------------------------------
# Redis
# --------------------------------------------------------------------------

def _die_with_parent_prefix() -> list[str]:
    """Command prefix asking Linux to SIGTERM the child when we die.

    Uses util-linux ``setpriv --pdeathsig`` (no preexec_fn, which is unsafe
    with threads).  PR_SET_PDEATHSIG fires when the *thread* that forked
    exits, so it is only used when starting from the main thread.  The
    watchdog process is the fallback either way.
    """
    if threading.current_thread() is not threading.main_thread():
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--"] if setpriv else []


class RedisServer(Server):
    name = "redis"

    def __init__(self, *, port: int, proc: subprocess.Popen, workdir: str, log_path: str):
        super().__init__(url=f"redis://{HOST}:{port}/0", host=HOST, port=port,
                         workdir=workdir, log_path=log_path)
        self.proc = proc

    def client(self, **kwargs):
        import redis

        return redis.Redis(host=self.host, port=self.port, **kwargs)

    def _do_stop(self) -> None:
        proc = self.proc
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def start_redis(timeout: float = DEFAULT_TIMEOUT) -> RedisServer:
    """Start a throwaway redis-server (foreground child process)."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise ServerUnavailable("redis-server not found on PATH; install the Debian package redis-server")
    try:
        import redis
    except ImportError as exc:  # pragma: no cover
        raise ServerUnavailable(f"redis (redis-py) is not installed: {exc}") from exc

    last_error = ""
    for _attempt in range(3):
        workdir = tempfile.mkdtemp(prefix="fn-redis-", dir=_base_tmpdir())
        log_path = os.path.join(workdir, "redis.log")
        port = free_port()
        cmd = [exe, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no",
               "--daemonize", "no", "--dir", workdir, "--logfile", ""]
        with open(log_path, "wb") as log:
            try:
                proc = subprocess.Popen(_die_with_parent_prefix() + cmd, stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
            except OSError as exc:
                shutil.rmtree(workdir, ignore_errors=True)
                raise ServerStartError(f"could not execute {exe}: {exc}") from exc
        server = RedisServer(port=port, proc=proc, workdir=workdir, log_path=log_path)
        server._watchdog = _Watchdog(pids=[proc.pid], rmtree=[workdir])
        _register(server)
        deadline = time.monotonic() + timeout
        try:
            while True:
                if proc.poll() is not None:
                    last_error = f"redis-server exited with status {proc.returncode}"
                    break
                try:
                    client = redis.Redis(host=HOST, port=port, socket_connect_timeout=1,
                                         socket_timeout=2)
                    try:
                        if client.ping():
                            return server
                    finally:
                        client.close()
                except redis.exceptions.RedisError as exc:
                    last_error = f"no PING reply on {HOST}:{port}: {exc}"
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
        except BaseException:
            server.stop()
            raise
        tail = server.log_tail()
        server.stop()
        if "already in use" in tail and _attempt < 2:
            continue
        raise ServerStartError(f"redis-server did not start: {last_error}\n--- redis log ---\n{tail}")
    raise ServerStartError(f"redis-server did not start: {last_error}")  # pragma: no cover


# --------------------------------------------------------------------------
# SMTP
# --------------------------------------------------------------------------

class _StoringHandler:
    def __init__(self, owner: SmtpServer):
        self._owner = owner

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self._owner._add(msg, envelope.mail_from, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class SmtpServer(Server):
    """In-process SMTP sink (aiosmtpd).  No TLS, no AUTH."""

    name = "smtp"

    def __init__(self, controller, port: int):
        super().__init__(url=f"smtp://{HOST}:{port}", host=HOST, port=port)
        self._controller = controller
        self._cond = threading.Condition()
        self._messages: list[email.message.EmailMessage] = []
        self._envelopes: list[tuple] = []

    def _add(self, msg, mail_from, rcpt_tos) -> None:
        with self._cond:
            self._messages.append(msg)
            self._envelopes.append((mail_from, rcpt_tos))
            self._cond.notify_all()

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        """Snapshot (a new list) of the messages received since the last clear()."""
        with self._cond:
            return list(self._messages)

    @property
    def envelopes(self) -> list[tuple]:
        """(mail_from, rcpt_tos) for each message in ``messages``, same order."""
        with self._cond:
            return list(self._envelopes)

    def clear(self) -> None:
        with self._cond:
            self._messages.clear()
            self._envelopes.clear()

    def wait_for(self, predicate: Callable[[email.message.EmailMessage], bool] | None = None,
                 timeout: float = 5):
        """Return the first received message for which ``predicate(msg)`` is true
        (any message if predicate is None), waiting up to ``timeout`` seconds.
        Raises TimeoutError listing what was received if none matches."""
        pred = predicate or (lambda m: True)
        deadline = time.monotonic() + timeout
        with self._cond:
            checked = 0
            while True:
                for msg in self._messages[checked:]:
                    if pred(msg):
                        return msg
                checked = len(self._messages)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    summary = "; ".join(f"to={m.get('To')!s} subject={m.get('Subject')!s}"
                                        for m in self._messages) or "none"
                    raise TimeoutError(f"no matching e-mail within {timeout}s "
                                       f"(received {len(self._messages)}: {summary})")
                self._cond.wait(remaining)

    def _do_stop(self) -> None:
        self._controller.stop(no_assert=True)


def start_smtp(timeout: float = DEFAULT_TIMEOUT) -> SmtpServer:
    """Start an aiosmtpd SMTP sink in a background thread."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError as exc:
        raise ServerUnavailable(f"aiosmtpd is not installed (pip install aiosmtpd): {exc}") from exc

    last_exc: BaseException | None = None
    for _attempt in range(3):
        port = free_port()
        server = SmtpServer(None, port)
        controller = Controller(_StoringHandler(server), hostname=HOST, port=port,
                                ready_timeout=timeout, enable_SMTPUTF8=True)
        server._controller = controller
        try:
            controller.start()
        except Exception as exc:  # port race, loop failure, ...
            last_exc = exc
            with contextlib.suppress(Exception):
                controller.stop(no_assert=True)
            continue
        _register(server)
        return server
    raise ServerStartError(f"SMTP server (aiosmtpd) did not start on {HOST}: {last_exc!r}")


# --------------------------------------------------------------------------
# the app over HTTP
# --------------------------------------------------------------------------

class LiveServer:
    """A WSGI app served on 127.0.0.1 (werkzeug, a thread per request) from a daemon thread, for clients that
    need a real HTTP server: the browser tests and schemathesis.  ``start()``, then requests to ``url``;
    ``stop()`` is safe whether or not it started."""

    def __init__(self, app):
        self.app = app
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self._server = make_server(HOST, self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        if self._thread.is_alive():  # shutdown() waits for serve_forever, which never ran if start() did not
            self._server.shutdown()
            self._thread.join(10)
        self._server.server_close()
