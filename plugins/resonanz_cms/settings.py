"""Defaults of the resonanz_cms plugin; every key is documented in docs/settings.md."""

from pathlib import Path

# tools/cms/ of this project: package.json, package-lock.json and (after `npm ci`) the bundle.
NPM_DIR = Path(__file__).resolve().parents[2] / "tools" / "cms"

DEFAULTS: dict = {
    # Write /admin/ (the CMS) into the output. Off: no /admin/ at all.
    "CMS_ENABLED": True,
    # Folder of the CMS in the output.
    "CMS_PATH": "admin",
    # Where `npm ci --prefix tools/cms` put Decap CMS; empty: tools/cms/node_modules/.
    "CMS_NODE_MODULES": "",
    # content/ as a path inside the git repository (the CMS writes files by that path).
    "CMS_CONTENT_DIR": "content",
    # The git host the editors sign in to: {"name": "github" | "gitlab", "repo": "owner/name",
    # "branch": "main", ...}; any further key goes to Decap's backend as is (base_url,
    # auth_endpoint, app_id, auth_type, api_root). Without a repo only the local proxy works.
    "CMS_BACKEND": {"name": "github", "repo": "", "branch": "main"},
    # Drafts as branches and pull/merge requests (GitHub, GitLab); "" = save straight to branch.
    "CMS_PUBLISH_MODE": "editorial_workflow",
    # The local proxy (`make cms`), used when /admin/ is opened on 127.0.0.1 or localhost;
    # "" = none (production). Its origin is added to the page's connect-src.
    "CMS_LOCAL_BACKEND": "",
    # Extra origins /admin/ may connect to (a self-hosted GitLab, an OAuth client).
    "CMS_CONNECT_ORIGINS": [],
    # Stylesheets of the theme (under theme/static/css/) the preview uses; empty:
    # RESONANZ_STYLESHEETS.
    "CMS_PREVIEW_STYLESHEETS": [],
}

# Where each git host's API lives (the only third party /admin/ talks to) and where the
# avatars of signed-in editors come from.
HOST_ORIGINS = {
    "github": ("https://api.github.com", "https://avatars.githubusercontent.com"),
    "gitlab": ("https://gitlab.com", "https://secure.gravatar.com"),
}
