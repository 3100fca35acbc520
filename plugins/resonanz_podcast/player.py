"""UI words of the episode player, the list play buttons and the subscribe box (German -> English).

The player itself is theme/static/js/player.js; its labels come from the templates, so the
script holds no language of its own.
"""

from __future__ import annotations

PLAYER_TRANSLATIONS = {
    "Abspielen": "Play",
    "Pausieren": "Pause",
    "Player": "Player",
    "15 Sekunden zurück": "Back 15 seconds",
    "30 Sekunden vor": "Forward 30 seconds",
    "Position": "Position",
    "Geschwindigkeit": "Speed",
    "Kapitel {n} von {total}": "Chapter {n} of {total}",
    "Folge herunterladen": "Download the episode",
    "von": "of",
    "In deiner App abonnieren": "Subscribe in your app",
    "Feed-Adresse kopieren": "Copy the feed URL",
    "Feed-Adresse kopiert": "Feed URL copied",
    "Andere Audioformate": "Other audio formats",
    "Auch in Verzeichnissen": "Also in directories",
    "Die Audiodatei lässt sich gerade nicht laden. Herunterladen geht über den Pfeil.": (
        "The audio file cannot be loaded right now. The arrow downloads it."
    ),
}


def register_translations() -> None:
    try:
        import resonanz_core.i18n as core_i18n  # optional: the plugin also works without it
    except ImportError:
        return
    core_i18n.add_translations(PLAYER_TRANSLATIONS)
