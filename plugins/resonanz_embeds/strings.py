"""UI words of the embeds plugin (German -> English) and their lookup through resonanz_core."""

from __future__ import annotations

TRANSLATIONS = {
    "Video abspielen": "Play video",
    "Video auf {provider}": "Video on {provider}",
    "auf {provider} ansehen": "watch on {provider}",
    "Erst beim Abspielen wird das Video von {provider} geladen; dabei erhält {provider} "
    "Daten wie deine IP-Adresse.": "The video is loaded from {provider} only when you play "
    "it; {provider} then receives data such as your IP address.",
    "Datenschutz": "Privacy",
    "Teilen": "Share",
    "Diesen Beitrag teilen": "Share this post",
    "Per E-Mail versenden": "Send by e-mail",
    "Link kopieren": "Copy link",
    "Link kopiert": "Link copied",
    "Einbetten": "Embed",
    "Mit diesem Code bindest du den Player dieser Folge in deine Website ein:": (
        "Paste this code into your website to embed the player of this episode:"
    ),
    "HTML-Code zum Einbetten": "HTML code for embedding",
    "Code kopieren": "Copy code",
    "Code kopiert": "Code copied",
    "Player ansehen": "View the player",
    "Zur Folge auf": "Episode on",
    "Auf Mastodon teilen": "Share on Mastodon",
    "Deine Mastodon-Instanz": "Your Mastodon instance",
    "Weiter zu Mastodon": "Continue to Mastodon",
    "Dieser Text wird geteilt": "Text to share",
    "Deine Instanz erfährt erst davon, wenn du auf „Weiter zu Mastodon“ klickst.": (
        "Your instance learns about it only when you click “Continue to Mastodon”."
    ),
    "Diese Seite braucht JavaScript. Ohne JavaScript: Kopiere die Adresse des Beitrags "
    "und füge sie auf deiner Instanz in einen neuen Beitrag ein.": (
        "This page needs JavaScript. Without it, copy the address of the post and paste it "
        "into a new post on your instance."
    ),
    "Bitte gib eine Instanz wie mastodon.social ein.": (
        "Please enter an instance such as mastodon.social."
    ),
}


def register_translations() -> None:
    try:
        import resonanz_core.i18n as core_i18n  # the lead's core plugin; optional
    except ImportError:
        return
    core_i18n.add_translations(TRANSLATIONS)


def translate(text: str, lang: str | None) -> str:
    try:
        import resonanz_core.i18n as core_i18n
    except ImportError:
        return text
    return core_i18n.translate(text, lang)
