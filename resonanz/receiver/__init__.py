"""Self-hosted receiver for Webmention, Pingback and TrackBack, with moderation and export."""

from .app import ReceiverApp
from .config import ReceiverConfig, config_from_env
from .service import Receiver

__all__ = ["Receiver", "ReceiverApp", "ReceiverConfig", "config_from_env"]
