"""resonanz_cms: the browser CMS (Decap CMS) at /admin/, configured from the content model."""

from .plugin import register

__all__ = ["register"]
