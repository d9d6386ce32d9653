#!/usr/bin/env python3
"""Render the nginx templates of publish/deploy/ (see docs/deploy.md).

Site file for a system nginx (Debian: /etc/nginx/sites-available/)::

    python publish/deploy/render_nginx.py --data-dir /var/lib/covidmaps \\
        --web-dir /opt/covidmaps/web --listen 80 --server-name covidmaps.example.vn \\
        --out /etc/nginx/sites-available/covidmaps

Standalone instance (tests, benchmark): writes PREFIX/site.conf and
PREFIX/nginx.conf, then run ``nginx -p PREFIX -c PREFIX/nginx.conf``::

    python publish/deploy/render_nginx.py --data-dir D --web-dir W \\
        --listen 127.0.0.1:8080 --standalone /tmp/nginx-covidmaps

The Content-Security-Policy and the other security headers of ``/`` are
taken from the endpoint's own code (covidmaps_publish.web), so nginx and
``covidmaps-publish serve`` send the same ones. Every value is checked
against a strict pattern before it reaches the config: a path with a quote,
a space or a ``;`` would otherwise inject nginx directives.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from string import Template
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")

_PATH = re.compile(r"^/[A-Za-z0-9_./-]*$")
_HOSTPORT = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):\d{1,5}$")
_LISTEN = re.compile(r"^(?:(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):)?\d{1,5}$")
_NAME = re.compile(r"^[A-Za-z0-9_.*-]+(?: [A-Za-z0-9_.*-]+)*$")
_SIZE = re.compile(r"^\d{1,6}[kKmM]?$")
_USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
_HEADER_VALUE = re.compile(r'^[^"\\\r\n$]*$')
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?$")

PROXY_SETTINGS = """\
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 120s;"""


def _checked(value: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.match(value):
        raise SystemExit(f"render_nginx: invalid {what}: {value!r}")
    return value


def security_header_lines(basemap_origin: Optional[str], indent: str) -> str:
    """``add_header`` lines for the web map: the endpoint's own headers."""
    from covidmaps_publish.web import security_headers

    pairs = list(security_headers(basemap_origin)) + [("X-Content-Type-Options", "nosniff")]
    lines = []
    for name, value in pairs:
        _checked(value, _HEADER_VALUE, f"header value of {name}")
        lines.append(f'{indent}add_header {name} "{value}" always;')
    return "\n".join(lines)


def render(template: Path, values: Dict[str, str]) -> str:
    text = Template(template.read_text(encoding="utf-8")).safe_substitute(values)
    left = re.findall(r"\$\{[A-Z_]+\}", text)
    if left:
        raise SystemExit(f"render_nginx: unfilled template variables {left} in {template}")
    return text


def site_values(args: argparse.Namespace) -> Dict[str, str]:
    data_root = Path(args.data_dir).resolve() / "public"
    web_root = Path(args.web_dir).resolve()
    return {
        "UPSTREAM": _checked(args.upstream, _HOSTPORT, "--upstream (host:port)"),
        "LISTEN": _checked(args.listen, _LISTEN, "--listen ([host:]port)"),
        "SERVER_NAME": _checked(args.server_name, _NAME, "--server-name"),
        "MAX_BODY": _checked(args.max_body, _SIZE, "--max-body (e.g. 21m)"),
        "DATA_ROOT": _checked(str(data_root), _PATH, "--data-dir"),
        "WEB_ROOT": _checked(str(web_root), _PATH, "--web-dir"),
        "PROXY_SETTINGS": PROXY_SETTINGS,
        "SECURITY_HEADERS": security_header_lines(basemap_origin(args), " " * 8),
        **wire_values(),
    }


def wire_values() -> Dict[str, str]:
    """The release tree's grammar and types, from the model (never a copy here)."""
    from covidmaps_plugin.model import wire

    return {"PMTILES_PATH": wire.PMTILES_PATH.pattern, "PMTILES_MEDIA": wire.PMTILES_MEDIA,
            "GEOJSON_MEDIA": wire.GEOJSON_MEDIA, "PROBLEM_MEDIA": wire.PROBLEM_MEDIA,
            "MVT_MEDIA": wire.MVT_MEDIA}


def basemap_origin(args: argparse.Namespace) -> Optional[str]:
    """--basemap-origin, else the origin the web map's config.json names
    (the same rule as the endpoint: its CSP allows that origin only)."""
    if args.basemap_origin:
        return str(args.basemap_origin)
    from covidmaps_publish.web import basemap_origin_of

    origin = basemap_origin_of(Path(args.web_dir))
    return _checked(origin, _ORIGIN, "basemap origin of config.json") if origin else None


def render_site(args: argparse.Namespace) -> str:
    return render(HERE / "nginx.conf", site_values(args))


def render_standalone(args: argparse.Namespace, prefix: Path) -> List[Path]:
    prefix = prefix.resolve()
    _checked(str(prefix), _PATH, "--standalone PREFIX")
    for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    site = prefix / "site.conf"
    site.write_text(render_site(args), encoding="utf-8")
    user = args.user
    main = render(HERE / "nginx-main.conf", {
        "LOAD_MODULES": (f"load_module {BROTLI_MODULE};" if BROTLI_MODULE.exists() else
                         "# brotli_static module missing: apt-get install "
                         "libnginx-mod-http-brotli-static"),
        "USER_LINE": f"user {_checked(user, _USER, '--user')};" if user else "",
        "WORKERS": _checked(str(args.workers), re.compile(r"^(?:auto|\d{1,3})$"), "--workers"),
        "PREFIX": str(prefix),
        "SITE": str(site),
    })
    conf = prefix / "nginx.conf"
    conf.write_text(main, encoding="utf-8")
    return [site, conf]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True,
                        help="the endpoint's --data directory (nginx serves DIR/public/data)")
    parser.add_argument("--web-dir", required=True, help="the built web map (publish/web/dist)")
    parser.add_argument("--upstream", default="127.0.0.1:8765",
                        help="covidmaps-publish serve address (default 127.0.0.1:8765)")
    parser.add_argument("--listen", default="80", help="nginx listen ([host:]port)")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--max-body", default="21m", help="largest request body (uploads)")
    parser.add_argument("--basemap-origin", default=os.environ.get("COVIDMAPS_BASEMAP_ORIGIN"),
                        help="tile server origin allowed by the CSP (default: the origin of the "
                             "basemap in WEB_DIR/config.json, as the endpoint does)")
    out = parser.add_mutually_exclusive_group(required=True)
    out.add_argument("--out", help="write the site file here ('-' for stdout)")
    out.add_argument("--standalone", metavar="PREFIX",
                     help="write PREFIX/site.conf and PREFIX/nginx.conf (own nginx instance)")
    parser.add_argument("--workers", default="auto", help="standalone: worker_processes")
    parser.add_argument("--user", default="", help="standalone: user of the worker processes")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.standalone:
        for path in render_standalone(args, Path(args.standalone)):
            print(path)
        return 0
    text = render_site(args)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
