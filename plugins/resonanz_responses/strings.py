"""English for the German text the responses templates show."""

ENGLISH = {
    "Kommentare": "Comments",
    "Kommentar": "Comment",
    "Noch keine Kommentare.": "No comments yet.",
    "Kommentare sind für diesen Eintrag geschlossen.": "Comments are closed for this entry.",
    "Diese Weblogs beziehen sich auf diesen Eintrag": "These weblogs refer to this entry",
    "weiterlesen": "read more",
    "Erwähnung": "Mention",
    "Erwähnungen": "Mentions",
    "Reaktionen": "Reactions",
    "Gefällt": "Likes",
    "Geteilt": "Reposts",
    "Link zu dieser Antwort": "Link to this response",
    "TrackBack-URL für diesen Eintrag": "TrackBack URL for this entry",
    "Kommentare abonnieren (Atom)": "Subscribe to comments (Atom)",
    "Kommentare laden": "Load comments",
    "{name} antwortet gerade nicht. Vielleicht hilft ein zweiter Versuch.": (
        "{name} is not answering right now. A second try may help."
    ),
    "Erneut versuchen": "Try again",
    "Die Kommentarfunktion stellt {name} bereit. Erst nach einem Klick auf „Kommentare laden“ "
    "lädt dein Browser Inhalte von {origin} und überträgt dabei deine IP-Adresse dorthin.": (
        "Comments are provided by {name}. Only after you click “Load comments” does your "
        "browser load content from {origin}, which sends your IP address there."
    ),
    "Mehr dazu in der": "More in our",
    "Datenschutzerklärung": "privacy policy",
    "Auswahl auf diesem Gerät merken": "Remember my choice on this device",
    "Alle Kommentare (Atom)": "All comments (Atom)",
    "Kommentare zu": "Comments on",
    "Trackback": "Trackback",
    "Pingback": "Pingback",
    "Webmention": "Webmention",
}
