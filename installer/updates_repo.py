"""Dinsos's update repository (tufup): make the keys once, then sign each new bundle into TUF metadata.

    python installer/updates_repo.py init --repo REPO --keys KEYS
    python installer/updates_repo.py add  --repo REPO --keys KEYS --bundle dist/usulkan --version 0.2.0

REPO/metadata and REPO/targets are what the update server publishes (any static web server);
REPO/metadata/root.json goes into every bundle (`installer/build.py --update-root`). KEYS holds
the private keys: keep the root key offline (docs/updates.md).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from tufup.repo import Repository

APP_NAME = "usulkan"
# Root lives long and is used rarely (offline); the online roles are short so a frozen or
# replayed repository is noticed: timestamp daily, as TUF recommends.
EXPIRATION_DAYS = {"root": 365, "targets": 30, "snapshot": 30, "timestamp": 7}


def repository(repo: Path, keys: Path, *, create: bool = False) -> Repository:
    """The repository at repo; create=True makes the keys and the first root.json (once)."""
    found = Repository(app_name=APP_NAME, repo_dir=repo, keys_dir=keys, expiration_days=dict(EXPIRATION_DAYS))
    if create:
        if (repo / "metadata" / "root.json").exists():
            raise SystemExit(f"{repo} has its root already: new keys would lock every installed office out")
        found.initialize()
    else:
        if not (repo / "metadata" / "root.json").exists():
            raise SystemExit(f"{repo} has no root.json: run init first")
        found._load_keys_and_roles(create_keys=False)  # what tufup's from_config does, without its cwd file
    return found


def add(repo: Path, keys: Path, bundle: Path, version: str) -> Path:
    """Sign `bundle` as `version` into the repository; returns the archive the server publishes."""
    found = repository(repo, keys)
    archive = found.targets_dir / f"{APP_NAME}-{version}.tar.gz"
    if archive.exists():
        raise SystemExit(f"{archive} exists: a published version is never replaced, give a new version")
    found.add_bundle(new_bundle_dir=bundle, new_version=version, skip_patch=True)
    found.publish_changes(private_key_dirs=[keys])
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("init", "add"):
        p = sub.add_parser(name)
        p.add_argument("--repo", type=Path, required=True)
        p.add_argument("--keys", type=Path, required=True)
        if name == "add":
            p.add_argument("--bundle", type=Path, required=True, help="the folder dist/usulkan")
            p.add_argument("--version", required=True)
    args = parser.parse_args(argv)
    repo, keys = args.repo.resolve(), args.keys.resolve()
    keys.mkdir(parents=True, exist_ok=True)
    # tufup writes its .tufup-repo-config into the working folder: let that be the private keys' one.
    with contextlib.chdir(keys):
        if args.command == "init":
            print(repository(repo, keys, create=True).metadata_dir / "root.json")
        else:
            print(add(repo, keys, args.bundle.resolve(), args.version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
