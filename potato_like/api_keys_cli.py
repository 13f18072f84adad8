"""`python run.py keys create|list|revoke CONFIG|DIR`: API keys for scripts, without the server
(DIR: a workspace directory, whose keys work on every project within their restriction).

Works while the server runs (it opens only the project's database). `create` prints the key
once, on stdout, and what it allows on stderr; the key cannot be shown again."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from .api_keys import BadScopes, parse_scopes

HELP = "create, list or revoke API keys for scripts (X-API-Key / Bearer / Basic)"


def add_parser(sub) -> None:
    p = sub.add_parser("keys", help=HELP, description=HELP)
    actions = p.add_subparsers(dest="keys_action", required=True)
    create = actions.add_parser("create", help="create a key and print it once")
    create.add_argument("config")
    create.add_argument("--name", required=True, help="what the key is for, e.g. 'nightly export'")
    create.add_argument(
        "--scopes", default="read", help="comma-separated: read, write, admin (default: read)"
    )
    create.add_argument(
        "--project", default=None, help="restrict the key to one project of a workspace (slug)"
    )
    listing = actions.add_parser("list", help="list keys (never the keys themselves)")
    listing.add_argument("config")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    revoke = actions.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("config")
    revoke.add_argument("key_id")


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "never"
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def run(args) -> int:
    from .config import load_config
    from .private_files import make_private_dir
    from .store import Store

    if args.keys_action == "create":
        try:
            scopes = parse_scopes(args.scopes)
        except BadScopes as err:
            print(f"--scopes: {err}", file=sys.stderr)
            return 2
        if not args.name.strip():
            print("--name must not be empty", file=sys.stderr)
            return 2
        if args.project is not None and Path(args.config).is_dir():
            from .workspace.config import slug_problem

            if (problem := slug_problem(args.project)) is not None:
                print(f"--project: {problem}", file=sys.stderr)
                return 2
    if Path(args.config).is_dir():  # a workspace: keys for every project (docs/workspace.md)
        from .workspace.cli import open_store

        store = open_store(args.config)
    else:
        config = load_config(args.config)
        make_private_dir(config.output_dir)
        store = Store.open(config.effective_database_url, durability=config.durability)
    try:
        keys = store.api_keys
        if args.keys_action == "create":
            record, key = keys.create(args.name.strip(), scopes, args.project)
            print(key)
            print(
                f"key {record.id} ({record.name}): scopes {', '.join(scopes)}"
                f"{', project ' + record.project if record.project else ''}. "
                "Store it now: it is not shown again.",
                file=sys.stderr,
            )
            return 0
        if args.keys_action == "list":
            records, _ = keys.page(0, 10_000, include_revoked=args.all)
            for r in records:
                state = "revoked" if r.revoked_at else "active"
                print(
                    f"{r.id}  {r.key_prefix}…  {state:7}  {','.join(r.scopes):16}  "
                    f"{r.project or '*':12}  last used {_when(r.last_used_at)}  {r.name}"
                )
            if not records:
                print("no keys", file=sys.stderr)
            return 0
        if keys.revoke(args.key_id):
            print(f"key {args.key_id} revoked", file=sys.stderr)
            return 0
        print(f"no active key with id {args.key_id}", file=sys.stderr)
        return 1
    finally:
        store.close()
