"""`make responses`: merging webmentions from a jf2 file or a local API into the YAML files."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest
import yaml
from conftest import free_port
from resonanz_responses.model import load_responses

from resonanz import responses_pull

FIXTURE = Path(__file__).parent / "fixtures" / "responses" / "mentions.jf2"
SETTINGS = """
PATH = "content"
SITEURL = "https://resonanz.example"
ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}/"
ARTICLE_LANG_URL = "{lang}/{date:%Y}/{date:%m}/{slug}/"
RESPONSES_PULL_STATUS = "pending"
RESPONSES_BLOCKED_DOMAINS = ["social.example"]
"""
HAND_WRITTEN = """# Von Hand gepflegt – Kommentare bleiben stehen.
- id: c1
  type: comment
  status: approved
  author: Petra Lindner
  content: Erster!
  published: 2025-03-17T10:12:00+01:00
"""


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "pelicanconf.py").write_text(SETTINGS, encoding="utf-8")
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    for name in ("2025-03-17-kundendialog-zuhoeren-statt-senden", "2025-06-24-markenstimme-finden"):
        (posts / f"{name}.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    responses = tmp_path / "content" / "responses"
    responses.mkdir()
    (responses / "kundendialog-zuhoeren-statt-senden.yaml").write_text(
        HAND_WRITTEN, encoding="utf-8"
    )
    return tmp_path


def run(project: Path, *args: str) -> int:
    return responses_pull.main(["--settings", str(project / "pelicanconf.py"), *args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_pull_from_jf2_file_twice_is_idempotent(project, capsys):
    responses = project / "content" / "responses"
    assert run(project, str(FIXTURE)) == 0
    first = snapshot(responses)
    assert sorted(first) == ["kundendialog-zuhoeren-statt-senden.yaml", "markenstimme-finden.yaml"]
    # the hand-written part is untouched, byte for byte, new entries come after it
    assert first["kundendialog-zuhoeren-statt-senden.yaml"].startswith(HAND_WRITTEN.encode())
    entries, problems = load_responses(responses / "kundendialog-zuhoeren-statt-senden.yaml")
    assert problems == []
    assert [(e.id, e.type, e.status) for e in entries] == [
        ("c1", "comment", "approved"),
        ("webmention-io-1800101", "comment", "pending"),
        ("webmention-io-1800102", "like", "spam"),  # blocked domain
    ]
    assert entries[1].author == "Paula Weiß"
    assert "<em>sichtbar</em>" in entries[1].content
    assert entries[2].published.isoformat() == "2026-11-20T10:00:00+00:00"
    mention, _ = load_responses(responses / "markenstimme-finden.yaml")
    assert [(m.type, m.title) for m in mention] == [
        ("webmention", "Was eine Markenstimme ausmacht")
    ]
    assert mention[0].published.isoformat() == "2026-11-21T18:30:00+01:00"
    assert "3 neue Antwort(en) aus 6" in capsys.readouterr().out

    assert run(project, str(FIXTURE)) == 0
    assert snapshot(responses) == first


def test_unknown_targets_and_private_mentions_are_skipped(project, caplog):
    # Pelican's logger drops repeated identical warnings in one process: use fresh ids.
    feed = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for mention in feed["children"]:
        mention["wm-id"] += 7_000_000
    jf2 = project / "unique.jf2"
    jf2.write_text(json.dumps(feed), encoding="utf-8")
    assert run(project, str(jf2)) == 0
    text = caplog.text
    assert "webmention-io-8800105" in text and "/impressum/" in text  # a page, not an article
    assert "webmention-io-8800106" in text  # an article slug this site does not have
    assert "8800104" in text and "private" in text
    assert not (project / "content" / "responses" / "ugc-rechte-klaeren.yaml").exists()
    assert not (project / "content" / "responses" / "impressum.yaml").exists()


def test_hand_edits_survive_a_pull(project):
    responses = project / "content" / "responses"
    target = responses / "kundendialog-zuhoeren-statt-senden.yaml"
    assert run(project, str(FIXTURE)) == 0
    # the moderator approves the webmention and rewords it, adds a remark
    edited = target.read_text(encoding="utf-8").replace("status: pending", "status: approved")
    edited = edited.replace("Zuhören ist die halbe Miete", "Zuhören ist DIE halbe Miete")
    edited += "# geprüft von Aylin\n"
    target.write_text(edited, encoding="utf-8")
    assert run(project, str(FIXTURE)) == 0
    assert target.read_text(encoding="utf-8") == edited
    # a new mention is appended after the edits, which stay as they are
    more = json.loads(FIXTURE.read_text(encoding="utf-8"))
    extra = dict(
        more["children"][0],
        **{"wm-id": 1800200, "url": "https://paula-weiss.example/zweite-antwort"},
    )
    more["children"] = [extra]
    newer = project / "newer.jf2"
    newer.write_text(json.dumps(more), encoding="utf-8")
    assert run(project, str(newer)) == 0
    final = target.read_text(encoding="utf-8")
    assert final.startswith(edited)
    assert [e["id"] for e in yaml.safe_load(final)][-1] == "webmention-io-1800200"


class _Api(http.server.BaseHTTPRequestHandler):
    queries: list[dict] = []
    mentions: list[dict] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        type(self).queries.append(query)
        since = int(query.get("since_id", ["0"])[0])
        children = [m for m in self.mentions if m["wm-id"] > since]
        body = json.dumps({"type": "feed", "children": children}).encode()
        self.send_response(200 if query.get("token") == ["geheim"] else 401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_pull_from_api_uses_token_and_since_id(project, monkeypatch):
    _Api.mentions = json.loads(FIXTURE.read_text(encoding="utf-8"))["children"]
    _Api.queries = []
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        api = f"http://127.0.0.1:{port}/api/mentions.jf2"
        monkeypatch.delenv("WEBMENTION_IO_TOKEN", raising=False)
        assert run(project, "--api", api) == 2  # no token: clear refusal
        monkeypatch.setenv("WEBMENTION_IO_TOKEN", "geheim")
        assert run(project, "--api", api) == 0
        state = project / "content" / "responses" / ".webmention-io.json"
        assert json.loads(state.read_text()) == {"since_id": 1800106}
        before = snapshot(project / "content" / "responses")
        assert run(project, "--api", api) == 0
        assert _Api.queries[0].get("since_id") is None
        assert _Api.queries[-1]["since_id"] == ["1800106"]
        assert snapshot(project / "content" / "responses") == before
        monkeypatch.setenv("WEBMENTION_IO_TOKEN", "falsch")
        assert run(project, "--api", api) == 1
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "target, slug",
    [
        (
            "https://resonanz.example/2025/03/kundendialog-zuhoeren-statt-senden/",
            "kundendialog-zuhoeren-statt-senden",
        ),
        (
            "https://resonanz.example/2025/03/kundendialog-zuhoeren-statt-senden/index.html#x",
            "kundendialog-zuhoeren-statt-senden",
        ),
        ("https://resonanz.example/en/2025/02/willkommen-bei-resonanz/", "willkommen-bei-resonanz"),
        ("https://andere.example/2025/03/kundendialog-zuhoeren-statt-senden/", None),
        ("https://resonanz.example/impressum/", None),
        ("https://resonanz.example/2026/03/%2e%2e/", None),
        ("https://resonanz.example/2026/03/..%2f..%2fetc/", None),
    ],
)
def test_slug_for_target(target, slug):
    templates = ["{date:%Y}/{date:%m}/{slug}/", "{lang}/{date:%Y}/{date:%m}/{slug}/"]
    assert responses_pull.slug_for_target(target, "https://resonanz.example", templates) == slug


def test_merge_refuses_broken_yaml(project):
    with pytest.raises(responses_pull.PullError, match="responses/x.yaml: not valid YAML"):
        responses_pull.merge(
            "- [kaputt", [{"id": "a", "type": "like", "url": "u"}], "responses/x.yaml"
        )
    text, count = responses_pull.merge(
        "[]\n", [{"id": "a", "type": "like", "url": "u", "published": "2026"}], "responses/x.yaml"
    )
    assert count == 1 and yaml.safe_load(text)[0]["id"] == "a"
    shutil.rmtree(project / "content" / "responses")
