#!/usr/bin/env python3
"""Check that a CovidMaps release (and optionally a file downloaded from it)
was published by the health department's endpoint.

Stand-alone: Python 3.8+ and the `cryptography` package (pip install
cryptography; Debian/Ubuntu: apt install python3-cryptography). Nothing of
CovidMaps is needed. See docs/deploy.md, "Checking a release yourself".

    python3 verify_release.py https://MAP/data/releases/000042-3f9a1c2b.json
    python3 verify_release.py https://MAP/data/manifest.json --file risk_points.csv
    python3 verify_release.py release.json --sig release.json.sig --key public-key.pem

The key is, in this order: --key (a PEM you saved earlier, e.g. from
https://MAP/data/public-key.pem or keys/<key id>.pem), else the site's
keys.json next to the manifest. Exit 0: valid; 1: not valid.
"""
import argparse
import base64
import hashlib
import json
import sys
import urllib.parse
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key


def read(where):
    if where.startswith(("http://", "https://")):
        with urllib.request.urlopen(where, timeout=30) as response:  # noqa: S310 # nosec B310 - http(s) only
            return response.read()
    with open(where, "rb") as handle:
        return handle.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", help="URL or path of releases/<id>.json or manifest.json")
    parser.add_argument("--sig", help="its signature (default: <release>.json.sig beside it)")
    parser.add_argument("--key", help="a PEM public key to trust (default: the site's keys.json)")
    parser.add_argument("--file", action="append", default=[],
                        help="a downloaded GeoJSON or CSV file to check against the release")
    args = parser.parse_args()

    manifest = read(args.manifest)
    release = json.loads(manifest)
    # the directory of the manifest (a URL or a path)
    if args.manifest.startswith(("http://", "https://")):
        base = urllib.parse.urljoin(args.manifest, "./")
    else:
        base = args.manifest.rsplit("/", 1)[0] + "/" if "/" in args.manifest else ""
    sig_where = args.sig or (base + "releases/" + release["release_id"] + ".json.sig"
                             if args.manifest.endswith("manifest.json") else args.manifest + ".sig")
    signature = json.loads(read(sig_where))
    if args.key:
        public = load_pem_public_key(read(args.key))
    else:
        data_root = base[: -len("releases/")] if base.endswith("releases/") else base
        keys = json.loads(read(data_root + "keys.json"))["keys"]
        entry = next((k for k in keys if k["key_id"] == signature["key_id"]), None)
        if entry is None:
            print(f"NOT VALID: signed by key {signature['key_id']}, which the site does not "
                  "publish")
            return 1
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(entry["public_key"]))
    if not isinstance(public, Ed25519PublicKey):
        print("NOT VALID: the key is not an Ed25519 public key")
        return 1
    try:
        public.verify(base64.b64decode(signature["signature"]), manifest)
    except InvalidSignature:
        print(f"NOT VALID: the signature does not match release {release.get('release_id')}")
        return 1
    print(f"valid: release {release['release_id']} of {release['created_at']}, "
          f"signed by key {signature['key_id']}")
    listed = {}
    for layer in release.get("layers", []) + release.get("reference", []):
        listed[(layer.get("blob") or {}).get("sha256")] = f"{layer['id']} (GeoJSON)"
        csv = ((layer.get("downloads") or {}).get("csv") or {}).get("sha256")
        if csv:
            listed[csv] = f"{layer['id']} (CSV)"
    failed = 0
    for path in args.file:
        digest = hashlib.sha256(read(path)).hexdigest()
        if digest in listed:
            print(f"valid: {path} is {listed[digest]} of this release")
        else:
            print(f"NOT VALID: {path} (sha256 {digest}) is not a file of this release")
            failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main())
