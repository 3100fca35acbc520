"""UI words of the episode pages, the player, the list play buttons and the subscribe box
(German -> English).

The player itself is theme/static/js/player.js; its labels come from the templates, so the
script holds no language of its own.
"""

from __future__ import annotations

PAGE_TRANSLATIONS = {
    "Folgen": "Episodes",
    "Folge": "Episode",
    "Alle Folgen": "All episodes",
    "Kapitel": "Chapters",
    "Transkript": "Transcript",
    "Gäste": "Guests",
    "Gast": "Guest",
    "Dauer": "Duration",
    "Staffel": "Season",
    "Trailer": "Trailer",
    "Bonus": "Bonus",
    "Herunterladen": "Download",
    "Abonnieren": "Subscribe",
    "Podcast abonnieren": "Subscribe to the podcast",
    "Feed-Adresse": "Feed URL",
    "Shownotes": "Show notes",
    "Anhören": "Listen",
    "Dein Browser kann dieses Audio nicht abspielen.": "Your browser cannot play this audio.",
    "Zum Zeitpunkt springen": "Jump to this time",
    "Cover der Folge": "Episode cover",
    "Cover des Podcasts": "Podcast cover",
    "Neueste Folgen": "Latest episodes",
    "Podcast-Feed": "Podcast feed",
    "Feed für andere Apps": "Feed for other apps",
    "Kapitelmarken als JSON": "Chapters as JSON",
    "Transkript herunterladen": "Download transcript",
    "Noch keine Folgen.": "No episodes yet.",
}


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
    core_i18n.add_translations(PAGE_TRANSLATIONS)
    core_i18n.add_translations(PLAYER_TRANSLATIONS)
