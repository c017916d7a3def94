"""The build id: a hash of the static files and templates, so every deploy gets fresh caches."""

import hashlib
from pathlib import Path


def build_id(app) -> str:
    """Computed once per process; names the service worker's caches (docs/offline.md)."""
    if "kotaku_build_id" not in app.extensions:
        digest = hashlib.sha256(app.config.get("BUILD_SALT", "").encode())
        for folder in (app.static_folder, app.template_folder):
            for path in sorted(Path(folder).rglob("*")):
                if path.is_file():
                    digest.update(str(path.relative_to(folder)).encode())
                    digest.update(path.read_bytes())
        app.extensions["kotaku_build_id"] = digest.hexdigest()[:12]
    return app.extensions["kotaku_build_id"]
