"""Signed updates with tufup: TUF metadata signed by Dinsos's keys decides which bundle an office may install."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app.errors import UsulkanError
from app.i18n import N_
from app.paths import resources_dir

APP_NAME = "usulkan"
ROOT_FILE = "root.json"
# Where an office looks for updates when none is set: beside its Dinsos server (docs/updates.md).
BESIDE_SERVER = "usulkan-updates"


class UpdatesNotConfigured(UsulkanError):
    template = N_("This build has no Dinsos update key, so it cannot check for updates.")
    hint = N_("Install the version Dinsos hands out (it carries the key), or update with its installer.")


class UpdateRefused(UsulkanError):
    template = N_("The update server's answer failed its check ({detail}); nothing was installed.")
    hint = N_("Try again later. If it keeps happening, tell Dinsos: the update may have been tampered with.")


@dataclass(frozen=True)
class Available:
    version: str
    size: int


def address(configured: str | None, server_url: str | None) -> str | None:
    """The update address: the one set on this PC, else ``<the office's Dinsos server>/usulkan-updates``.

    Only TUF metadata signed by Dinsos's update keys is ever acted on, so a wrong address can at
    worst offer nothing.
    """
    if configured and configured.strip():
        return configured.strip()
    if server_url:
        return f"{server_url.rstrip('/')}/{BESIDE_SERVER}"
    return None


def trusted_root() -> Path:
    """Dinsos's root metadata, shipped inside the bundle (installer/build.py --update-root)."""
    return resources_dir() / "updates" / ROOT_FILE


def cache_dir() -> Path:
    return platformdirs.user_cache_path("usulkan", appauthor=False) / "updates"


def program_dir() -> Path:
    """The folder an update replaces: the bundle's, never the data folder."""
    return Path(sys.executable).resolve().parent


def _client(url: str, current_version: str, install_dir: Path, cache: Path, root: Path):
    from tufup.client import Client

    class OnceClient(Client):
        """check_for_updates refreshes again and swallows an unsigned answer: here a refusal is loud, once."""

        refreshed = False

        def refresh(self) -> None:
            if not self.refreshed:
                super().refresh()
                self.refreshed = True

    if not root.is_file():
        raise UpdatesNotConfigured()
    metadata, targets = cache / "metadata", cache / "targets"
    metadata.mkdir(parents=True, exist_ok=True)
    targets.mkdir(parents=True, exist_ok=True)
    if not (metadata / ROOT_FILE).exists():
        # TUF starts from the root it was shipped with; later roots must be signed by it.
        shutil.copyfile(root, metadata / ROOT_FILE)
    base = url.rstrip("/")
    return OnceClient(app_name=APP_NAME, app_install_dir=install_dir, current_version=current_version,
                      metadata_dir=metadata, metadata_base_url=f"{base}/metadata/",
                      target_dir=targets, target_base_url=f"{base}/targets/",
                      extract_dir=cache / "extract", refresh_required=False)


def _refresh(client) -> None:
    from tuf.api import exceptions

    try:
        client.refresh()
    except exceptions.RepositoryError as err:  # bad signature, expired, rolled back, wrong length
        raise UpdateRefused(detail=type(err).__name__) from err
    except exceptions.DownloadError as err:
        raise UpdateRefused(detail=type(err).__name__) from err


def check(url: str, current_version: str, *, install_dir: Path | None = None,
          cache: Path | None = None, root: Path | None = None) -> Available | None:
    """The newest version Dinsos signed for this program, if newer than current_version."""
    client = _client(url, current_version, install_dir or program_dir(), cache or cache_dir(), root or trusted_root())
    _refresh(client)
    found = client.check_for_updates(patch=False)
    if found is None:
        return None
    return Available(str(found.version), client.new_archive_info.length)


def install(url: str, current_version: str, *, install_dir: Path | None = None,
            cache: Path | None = None, root: Path | None = None) -> str | None:
    """Download the signed bundle, verify it against the metadata, and replace the program's folder.

    Returns the installed version, or None when there is nothing newer. The data folder is
    elsewhere (platformdirs) and untouched; the next start migrates it. On Windows tufup's own
    script swaps the folder after this process exits.
    """
    from tuf.api import exceptions

    install_dir = install_dir or program_dir()
    cache = cache or cache_dir()
    client = _client(url, current_version, install_dir, cache, root or trusted_root())
    _refresh(client)
    found = client.check_for_updates(patch=False)
    if found is None:
        return None
    shutil.rmtree(cache / "extract", ignore_errors=True)
    (cache / "extract").mkdir(parents=True)
    try:
        # The folder is the program's own, so it is emptied first; the NSIS uninstaller stays.
        client.download_and_apply_update(skip_confirmation=True, install=_installer(), purge_dst_dir=True,
                                         exclude_from_purge=[str(install_dir / "uninstall.exe")])
    except exceptions.RepositoryError as err:  # the archive's length or hash is not the signed one
        raise UpdateRefused(detail=type(err).__name__) from err
    except exceptions.DownloadError as err:
        raise UpdateRefused(detail=type(err).__name__) from err
    return str(found.version)


def _installer():
    if sys.platform == "win32":
        from tufup.utils.platform_specific import install_update

        return install_update  # a batch script moves the files once this process has exited
    return replace_folder


def replace_folder(src_dir, dst_dir, **_options) -> None:
    """Linux: the verified, extracted bundle takes the program folder's place in one rename."""
    src_dir, dst_dir = Path(src_dir), Path(dst_dir)
    staged = dst_dir.with_name(f".{dst_dir.name}.new")
    old = dst_dir.with_name(f".{dst_dir.name}.old")
    shutil.rmtree(staged, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    shutil.move(str(src_dir), str(staged))
    if dst_dir.exists():
        dst_dir.rename(old)
    staged.rename(dst_dir)
    shutil.rmtree(old, ignore_errors=True)
