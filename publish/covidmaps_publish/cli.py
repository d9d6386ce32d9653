"""``covidmaps-publish``: serve, tokens, history, rollback, signing key, verify."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import List, Optional

from .config import Config, Limits

# The web map's build output in a source checkout (publish/web/dist)
DEFAULT_WEB_DIR = Path(__file__).resolve().parent.parent / "web" / "dist"


def _config(args: argparse.Namespace) -> Config:
    web = getattr(args, "web_dir", None)
    if web is None and DEFAULT_WEB_DIR.is_dir():
        web = str(DEFAULT_WEB_DIR)
    limits = Limits()
    for flag, name in (("header_timeout", "header_timeout_s"),
                       ("body_timeout", "body_timeout_s")):
        value = getattr(args, flag, None)
        if value is not None:
            limits = replace(limits, **{name: value})
    return Config(data_dir=Path(args.data), storage_url=args.storage,
                  web_dir=Path(web) if web else None, profile_id=args.profile,
                  basemap_origin=getattr(args, "basemap_origin", None), limits=limits,
                  read_only=bool(getattr(args, "read_only", False)))


def _publisher(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from .app import create_app

    return create_app(_config(args)).publisher


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import bind, serve

    sock = bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    print(f"covidmaps-publish: listening on http://{host}:{port}", flush=True)
    serve(_config(args), sock, args.workers)
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    publisher = _publisher(args)
    print(f"data directory ready; current release {publisher.current()[0].get('release_id')}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from .tokens import TokenStore

    store = TokenStore(_config(args).state_dir)
    if args.action == "create":
        try:
            token = store.create(args.name)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(token)
        print(f"Token for {args.name!r}; it is shown only this once. Store it safely.",
              file=sys.stderr)
    elif args.action == "revoke":
        if not store.revoke(args.name):
            print(f"error: no active token named {args.name!r}", file=sys.stderr)
            return 1
        print(f"revoked {args.name}")
    else:
        for r in store.list():
            state = f"revoked {r.revoked}" if r.revoked else "active"
            print(f"{r.name}\tcreated {r.created}\t{state}")
    return 0


def cmd_releases(args: argparse.Namespace) -> int:
    for entry in _publisher(args).history(args.limit):
        changes = ", ".join(f"{k} +{v['added']} -{v['removed']} ~{v['changed']}"
                            for k, v in (entry.get("changes") or {}).items()
                            if any(v.values()))
        print(f"{entry['release_id']}\t{entry['created_at']}\t{entry['publisher']}\t"
              f"{entry['kind']}\t{entry['message']}\t{changes}")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from .problems import ProblemError

    publisher = _publisher(args)
    current = publisher.current()[0].get("release_id", "")
    try:
        manifest, _ = publisher.rollback("cli", current, {"release_id": args.release,
                                                          "message": args.message or ""},
                                         None, "")
    except ProblemError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    publisher.audit.record(actor="cli", method="CLI", route="rollback", status=201,
                           outcome="accepted", client=None, release_id=manifest["release_id"],
                           reason=f"rollback to {args.release}")
    print(f"now current: {manifest['release_id']} (same data as {args.release})")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .verify import verify

    report = verify(_publisher(args).storage)
    print(json.dumps(report, indent=1))
    return 0 if not report["damaged"] else 1


def cmd_key(args: argparse.Namespace) -> int:
    """The release-signing key (signing.py): show it, or rotate it."""
    publisher = _publisher(args)  # creates the key on a new data directory
    signer = publisher.open_data.signer
    if args.action == "rotate":
        old, new = signer.rotate()
        print(f"new signing key {new}; retired {old} (its public key stays at "
              f"/data/keys/{old}.pem, so releases it signed stay verifiable)")
        return 0
    current = signer.ensure_key()
    for entry in json.loads(publisher.storage.get("keys.json") or b"{}").get("keys", ()):
        state = "current" if entry["key_id"] == current else f"retired {entry['retired_at']}"
        print(f"{entry['key_id']}\t{entry['algorithm']}\tcreated {entry['created_at']}\t{state}"
              f"\t{entry['public_key']}")
    return 0


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("a number of seconds from 0 to 3600")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="covidmaps-publish", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", required=True, help="data directory (state and local storage)")
        p.add_argument("--storage", default=None, help="s3://bucket/prefix instead of DIR/public")
        p.add_argument("--profile", default="bac_kan_2020", help="province profile id or path")

    p = sub.add_parser("serve", help="run the endpoint")
    common(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--web-dir", default=None,
                   help="built web map (default: publish/web/dist if built)")
    p.add_argument("--workers", type=int, default=1,
                   help="server processes sharing the port (e.g. the number of cores)")
    p.add_argument("--basemap-origin", default=None,
                   help="tile origin allowed by the CSP (default: the origin of the basemap "
                        "in the web dir's config.json)")
    p.add_argument("--header-timeout", type=_seconds, default=None,
                   help="seconds for a request's headers to arrive (default 10)")
    p.add_argument("--body-timeout", type=_seconds, default=None,
                   help="longest pause within a request body, in seconds (default 10)")
    p.add_argument("--read-only", action="store_true",
                   help="serve the public map, release files and OGC API only (no write API): "
                        "a read replica sharing the storage of the publishing instance")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("init", help="create the data directory and release 0")
    common(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("token", help="create, list or revoke publishing tokens")
    common(p)
    p.add_argument("action", choices=["create", "list", "revoke"])
    p.add_argument("name", nargs="?")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("releases", help="release history, newest first")
    common(p)
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_releases)

    p = sub.add_parser("rollback", help="make RELEASE current again (as a new release)")
    common(p)
    p.add_argument("release")
    p.add_argument("--message", default="")
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("key", help="show or rotate the key that signs releases")
    common(p)
    p.add_argument("action", choices=["show", "rotate"])
    p.set_defaults(func=cmd_key)

    p = sub.add_parser("verify", help="re-hash every blob, PMTiles archive, format 1 tile "
                                      "and variant, check every release signature; non-zero "
                                      "if damaged")
    common(p)
    p.set_defaults(func=cmd_verify)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "token" and args.action in ("create", "revoke") and not args.name:
        print("error: a token NAME is required", file=sys.stderr)
        return 2
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
