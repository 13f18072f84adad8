"""`python run.py reset-password CONFIG USERNAME`: print a one-time reset link, or set the
password now (read from stdin or asked twice). Works while the server runs: it opens only
the project's database (no data import), and the server sees the change at once."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys

from . import password_reset
from .errors import PotatoLikeError

HELP = "reset a user's password: print a one-time link, or set it from stdin or a prompt"


def add_parser(sub) -> None:
    p = sub.add_parser("reset-password", help=HELP, description=HELP)
    p.add_argument("config")
    p.add_argument("username", nargs="?", help="the account (or --username, Potato's spelling)")
    p.add_argument("--username", dest="username_option", default=None, help=argparse.SUPPRESS)
    p.add_argument(
        "--base-url",
        default=None,
        help="print a one-time reset link starting with this address (the server's public "
        "address, e.g. https://annotate.example.org)",
    )
    p.add_argument(
        "--link",
        action="store_true",
        help="print a link on http://HOST:PORT of the config (when --base-url is not given)",
    )
    p.add_argument(
        "--hours", type=float, default=None, help="how long the link works (password_reset_hours)"
    )
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="set the password read from the first line of stdin",
    )


def run(args) -> int:
    from .config import load_config
    from .private_files import make_private_dir
    from .store import Store

    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        print("--base-url must start with http:// or https://", file=sys.stderr)
        return 2
    if args.hours is not None and not 0.1 <= args.hours <= 720:
        print("--hours must be between 0.1 and 720", file=sys.stderr)
        return 2
    link_wanted = bool(args.base_url or args.link)
    if link_wanted and args.password_stdin:
        print("choose either a link (--base-url/--link) or --password-stdin", file=sys.stderr)
        return 2
    config = load_config(args.config)
    username = args.username or args.username_option
    if not username and sys.stdin.isatty() and not args.password_stdin:
        username = input("Username: ").strip()
    if not username:
        print("a username is required", file=sys.stderr)
        return 2
    make_private_dir(config.output_dir)
    store = Store.open(config.effective_database_url, durability=config.durability)
    try:
        if link_wanted:
            return _print_link(store, config, username, args)
        password = _read_password(args.password_stdin)
        if password is None:
            return 2
        ended = password_reset.set_password(store, config, username, password)
        print(f"password of {username!r} set; {ended} session(s) ended", file=sys.stderr)
        return 0
    except PotatoLikeError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return 1
    finally:
        store.close()


def _print_link(store, config, username: str, args) -> int:
    link = password_reset.issue_link(store, config, username, hours=args.hours, allow_staff=True)
    base = args.base_url or _local_base(config)
    expires = dt.datetime.fromtimestamp(link.expires_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(link.url(base))
    print(
        f"one-time link for {link.username!r}, valid until {expires}; earlier links of this "
        "account no longer work",
        file=sys.stderr,
    )
    return 0


def _local_base(config) -> str:
    host = config.host
    if host in ("0.0.0.0", "::", "127.0.0.1"):  # noqa: S104
        host = "localhost"
    elif ":" in host:
        host = f"[{host.strip('[]')}]"
    return f"http://{host}:{config.port}"


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        print(
            "no terminal to ask for the password: use --password-stdin, or --base-url to "
            "print a link",
            file=sys.stderr,
        )
        return None
    first = getpass.getpass("New password: ")
    if first != getpass.getpass("New password again: "):
        print("the two passwords differ", file=sys.stderr)
        return None
    return first
