"""Comments at the receiver over 127.0.0.1: spam trials, targets from the build's list,
TrackBack charsets, SMTP notifications with double opt-in, forget."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import xmlrpc.client
from pathlib import Path

import lxml.html
import pytest
from aiosmtpd.controller import Controller
from conftest import TEST_SITEURL, free_port
from test_receiver import (
    SITE_URL,
    TARGET,
    TOKEN,
    SourceSite,
    h_entry,
    post_form,
    raw_request,
    trackback_reply,
    write_targets,
)

from resonanz.receiver import cli
from resonanz.receiver.comments import CommentDesk
from resonanz.receiver.config import ReceiverConfig
from resonanz.receiver.server import start_in_thread

SECRET = "test-geheimnis"


def comment(**fields: str) -> dict[str, str]:
    return {
        "target": TARGET,
        "thanks": SITE_URL + "kommentar-danke/",
        "name": "Eva Muster",
        "email": "eva@leser.example",
        "website": "https://eva.example/",
        "text": "Danke für den *Beitrag*!",
        "consent": "1",
        **fields,
    }


def post_json(url: str, fields: dict[str, str]) -> tuple[int, dict]:
    body = urllib.parse.urlencode(fields).encode()
    status, _, answer = raw_request(
        url,
        "POST",
        "/comments",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    return status, json.loads(answer)


@pytest.fixture
def source_site():
    site = SourceSite().start()
    yield site
    site.stop()


@pytest.fixture
def receiver(tmp_path, monkeypatch):
    running = []

    def start(**overrides):
        config = ReceiverConfig(
            **{
                "site_url": SITE_URL,
                "db_path": tmp_path / "receiver.sqlite3",
                "port": 0,
                "threads": 4,
                "token": TOKEN,
                "allow_private": True,
                "secret": SECRET,
                "comment_min_seconds": 2.0,
                "targets": str(write_targets(tmp_path / "targets.json", [TARGET])),
                **overrides,
            }
        )
        monkeypatch.setenv("RESONANZ_SITE_URL", SITE_URL)
        monkeypatch.setenv("RESONANZ_RECEIVER_DB", str(config.db_path))
        monkeypatch.setenv("RESONANZ_RECEIVER_SECRET", SECRET)
        monkeypatch.setenv("RESONANZ_RECEIVER_TARGETS", config.targets)
        instance = start_in_thread(config, workers=False)
        running.append(instance)
        return instance

    yield start
    for instance in running:
        instance.close()


def token_at(running, seconds_ago: float) -> str:
    return CommentDesk(running.receiver).issue_token(now=time.time() - seconds_ago)


# -- spam trials ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "status", "reason"),
    [
        ("honeypot", 400, "honeypot"),
        ("too_fast", 400, "too_fast"),
        ("forged", 400, "forged_token"),
        ("expired", 400, "expired_token"),
        ("links", 400, "too_many_links"),
        ("no_consent", 400, "no_consent"),
        ("script_website", 400, "invalid"),
        ("script_email", 400, "invalid"),
        ("script_reply", 400, "invalid"),
        ("script_target", 400, "foreign_target"),
        ("blocked", 403, "blocked"),
    ],
)
def test_spam_trials_are_refused(receiver, case, status, reason):
    running = receiver()
    running.receiver.store.block("spam.example")
    fields = {
        "honeypot": comment(homepage="https://cheap-pills.example/"),
        "too_fast": comment(token=token_at(running, 0.2)),
        "forged": comment(token=f"{int(time.time() * 1000) - 10000}.{'0' * 32}"),
        "expired": comment(token=token_at(running, 7 * 3600)),
        "links": comment(text=" ".join(f"https://l{n}.example/" for n in range(30))),
        "no_consent": {k: v for k, v in comment().items() if k != "consent"},
        "script_website": comment(website='javascript:alert(1)//"<script>x</script>'),
        "script_email": comment(email='"<script>alert(1)</script>"@x.example'),
        "script_reply": comment(in_reply_to='c-1" onerror="alert(1)'),
        "script_target": comment(target="<script>alert(1)</script>"),
        "blocked": comment(text="Schaut mal: https://www.spam.example/angebot"),
    }[case]
    answer_status, answer = post_json(running.url, fields)
    assert (answer_status, answer["ok"], answer["reason"]) == (status, False, reason)
    assert answer["message"]  # a sentence for the reader
    assert running.receiver.store.list("all") == []


def test_a_100_kb_comment_is_refused(receiver):
    running = receiver()
    status, _, _ = raw_request(
        running.url,
        "POST",
        "/comments",
        urllib.parse.urlencode(comment(text="a" * 100_000)).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 413
    long_text = comment(text="Wort " * 1100)  # 5,500 characters, below the request limit
    assert post_json(running.url, long_text)[1]["reason"] == "too_long"
    assert running.receiver.store.list("all") == []


def test_script_and_onerror_in_every_field_are_neutralised(receiver):
    running = receiver()
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    status, answer = post_json(
        running.url,
        comment(
            name=f"Eva{evil}",
            text=f"Hallo {evil} und [klick](javascript:alert(3)) <a href=x onclick=y>z</a>",
            token=token_at(running, 5),
        ),
    )
    assert (status, answer["ok"]) == (200, True)
    [stored] = running.receiver.store.list("pending")
    assert stored.author == "Eva"
    fragment = lxml.html.fragment_fromstring(stored.content, create_parent="div")
    assert fragment.xpath("//script") == [] and fragment.xpath("//img") == []
    assert not [a for el in fragment.iter() for a in el.attrib if a.lower().startswith("on")]
    assert [a.get("href") for a in fragment.xpath("//a")] == []
    assert "alert(1)" in fragment.text_content()  # shown as text, not run


def test_form_post_without_script_gets_a_303_to_the_thank_you_page(receiver):
    running = receiver()

    def post_form_plain(fields: dict[str, str]):
        body = urllib.parse.urlencode(fields).encode()
        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        return raw_request(running.url, "POST", "/comments", body, form_type)

    status, headers, _ = post_form_plain(comment())
    assert status == 303 and headers["Location"] == SITE_URL + "kommentar-danke/"
    # a thank-you URL elsewhere is ignored: no open redirect
    status, headers, _ = post_form_plain(comment(thanks="https://evil.example/", text="Zweiter"))
    assert status == 303 and headers["Location"] == SITE_URL + "kommentar-danke/"
    assert [m.status for m in running.receiver.store.list("all")] == ["pending", "pending"]


def test_token_is_readable_only_by_the_site(receiver):
    running = receiver()
    status, headers, body = raw_request(
        running.url, "GET", "/comments/token", headers={"Origin": "https://resonanz.example"}
    )
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://resonanz.example"
    assert json.loads(body)["token"].count(".") == 1
    _, headers, _ = raw_request(
        running.url, "GET", "/comments/token", headers={"Origin": "https://evil.example"}
    )
    assert "Access-Control-Allow-Origin" not in headers


# -- targets come from the build's list ----------------------------------------------------


# Listings, search and legal pages (closed by default); "Über uns" is a page with open
# comments and so a target (tested in test_comments_site.py).
NOT_ARTICLES = [
    "archiv/",
    "2026/03/",
    "2026/",
    "fallstudien/",
    "suche/",
    "impressum/",
    "datenschutz/",
]


def test_non_article_targets_refused_by_all_three_protocols(demo_site, receiver, source_site):
    site = TEST_SITEURL + "/"
    targets = demo_site.output / "_resonanz" / "targets.json"
    listed = {entry["path"] for entry in json.loads(targets.read_text())["targets"]}
    assert "/2025/03/kundendialog-zuhoeren-statt-senden/" in listed
    assert not listed & {"/" + path for path in NOT_ARTICLES}
    running = receiver(site_url=site, targets=str(targets), comment_rate_limit=50)
    proxy = xmlrpc.client.ServerProxy(running.url + "/xmlrpc")
    for path in NOT_ARTICLES:
        target = site + path
        source = source_site.add(f"/zu/{path}", h_entry(target=target))
        status, _, body = post_form(
            running.url + "/webmention", {"source": source, "target": target}
        )
        assert status == 400, (path, body)
        with pytest.raises(xmlrpc.client.Fault) as fault:
            proxy.pingback.ping(source, target)
        assert fault.value.faultCode == 0x0021, path
        reply = post_form(running.url + "/trackback/" + path.strip("/"), {"url": source})[2]
        assert trackback_reply(reply)[0] == "1", path
        assert post_json(running.url, comment(target=target))[1]["reason"] == "bad_target"
    assert running.receiver.store.list("all") == []
    article = site + "2025/03/kundendialog-zuhoeren-statt-senden/"
    source = source_site.add("/gut", h_entry(target=article))
    assert post_form(running.url + "/webmention", {"source": source, "target": article})[0] == 202


def test_latin1_trackback_without_charset_keeps_umlauts(receiver, source_site):
    running = receiver()
    source = source_site.add("/alt", h_entry())
    body = urllib.parse.urlencode(
        {
            "url": source,
            "title": "Blög über Äpfel",
            "blog_name": "Jörgs Weblog",
            "excerpt": "Grüße",
        },
        encoding="latin-1",
    ).encode("ascii")
    status, _, reply = raw_request(
        running.url,
        "POST",
        "/trackback/markenstimme-finden",
        body,
        {"Content-Type": "application/x-www-form-urlencoded"},  # no charset
    )
    assert status == 200 and trackback_reply(reply) == ("0", None)
    [stored] = running.receiver.store.list("pending")
    assert (stored.title, stored.author) == ("Blög über Äpfel", "Jörgs Weblog")
    assert "Grüße" in stored.content


def test_bridgy_style_hosts_skip_the_rate_limit(receiver, source_site):
    running = receiver(rate_limit=2, rate_exempt=("127.0.0.1",))
    for n in range(5):
        source = source_site.add(f"/bridgy/{n}", h_entry())
        assert (
            post_form(running.url + "/webmention", {"source": source, "target": TARGET})[0] == 202
        )
    limited = receiver(
        rate_limit=2, rate_exempt=("brid.gy",), db_path=running.receiver.config.db_path
    )
    codes = [
        post_form(
            limited.url + "/webmention",
            {"source": source_site.add(f"/andere/{n}", h_entry()), "target": TARGET},
        )[0]
        for n in range(3)
    ]
    assert codes == [202, 202, 429]


# -- e-mail ----------------------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self.arrived:
            self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8")))
            self.arrived.notify_all()
        return "250 OK"

    def wait(self, count: int, timeout: float = 30) -> list[tuple[list[str], str]]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return list(self.messages)


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def body_of(raw: str) -> str:
    """Subject and text of a mail, decoded (quoted-printable, encoded words)."""
    import email
    import email.policy

    message = email.message_from_string(raw, policy=email.policy.default)
    return f"{message['Subject']}\n\n{message.get_content()}"


def test_moderators_hear_of_new_comments_and_readers_of_replies(
    receiver, smtp, capsys, monkeypatch
):
    inbox, port = smtp
    # the same settings for the CLI (approve), which reads the environment
    for name, value in {
        "RESONANZ_SMTP_HOST": "127.0.0.1",
        "RESONANZ_SMTP_PORT": str(port),
        "RESONANZ_SMTP_TLS": "none",
        "RESONANZ_RECEIVER_URL": "https://empfang.resonanz.example",
    }.items():
        monkeypatch.setenv(name, value)
    running = receiver(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_tls="none",
        moderators=("redaktion@resonanz.example",),
        public_url="https://empfang.resonanz.example",
    )
    assert post_json(running.url, comment(notify="1", text="Erste Frage?"))[1]["ok"]
    [(to, raw)] = inbox.wait(1)
    assert to == ["redaktion@resonanz.example"]
    assert "Eva Muster" in raw and "Erste Frage?" in body_of(raw)
    assert "eva@leser.example" not in raw  # the address never leaves the database
    assert "https://empfang.resonanz.example/moderation#mention-1" in body_of(raw)

    first = running.receiver.store.list("pending")[0]
    code, _ = cli.main(["approve", str(first.id)]), capsys.readouterr()
    assert code == 0
    messages = inbox.wait(2)
    to, raw = messages[1]
    assert to == ["eva@leser.example"] and "bestätigen" in body_of(raw).lower()
    text = body_of(raw)
    confirm = next(w for w in text.split() if "/comments/confirm?key=" in w)
    assert "/comments/unsubscribe?key=" in text

    def reply(n: int) -> None:
        fields = comment(
            name=f"Tom {n}", email="", in_reply_to=first.response_id, text=f"Antwort {n}"
        )
        assert post_json(running.url, fields)[1]["ok"]
        newest = running.receiver.store.list("pending")[-1]
        assert cli.main(["approve", str(newest.id)]) == 0

    reply(1)  # before the confirmation: no mail to Eva
    inbox.wait(3)
    assert [m for m in inbox.messages if m[0] == ["eva@leser.example"]] == [messages[1]]
    key = urllib.parse.parse_qs(urllib.parse.urlsplit(confirm).query)["key"][0]
    status, _, page = raw_request(running.url, "GET", f"/comments/confirm?key={key}")
    assert status == 200 and "Bestätigt" in page.decode()
    reply(2)
    mails = [m for m in inbox.wait(5) if m[0] == ["eva@leser.example"]]
    assert len(mails) == 2 and "Antwort 2" in body_of(mails[1][1])
    unsubscribe = next(w for w in body_of(mails[1][1]).split() if "/unsubscribe?key=" in w)
    path = urllib.parse.urlsplit(unsubscribe)
    assert raw_request(running.url, "GET", f"{path.path}?{path.query}")[0] == 200
    reply(3)
    time.sleep(1)
    assert len([m for m in inbox.messages if m[0] == ["eva@leser.example"]]) == 2


def test_auto_approval_only_for_an_address_with_an_approved_comment(receiver):
    running = receiver(comment_auto_approve=True)
    assert post_json(running.url, comment())[1]["status"] == "pending"  # first time: moderated
    running.receiver.store.moderate(running.receiver.store.list("pending")[0].id, "approved")
    assert post_json(running.url, comment(text="Noch was"))[1]["status"] == "approved"
    assert post_json(running.url, comment(email="neu@leser.example"))[1]["status"] == "pending"


def test_client_addresses_are_stored_only_as_a_short_hash(receiver, tmp_path):
    import sqlite3

    running = receiver(comment_rate_limit=2)
    codes = [post_json(running.url, comment(text=f"Nr. {n}"))[0] for n in range(3)]
    assert codes == [200, 200, 429]
    dump = "\n".join(sqlite3.connect(tmp_path / "receiver.sqlite3").iterdump())
    assert "127.0.0.1" not in dump
    clients = {
        row[0]
        for row in sqlite3.connect(tmp_path / "receiver.sqlite3").execute(
            "SELECT client FROM commenters"
        )
    }
    assert len(clients) == 1 and len(next(iter(clients))) == 16


def test_nothing_but_comments_paths_answer_cross_origin(receiver):
    running = receiver()
    status, headers, _ = raw_request(running.url, "GET", "/moderation")
    assert status == 401 and "Access-Control-Allow-Origin" not in headers


def test_targets_list_unreadable_refuses_for_now(receiver, tmp_path):
    running = receiver(targets=str(tmp_path / "fehlt.json"))
    status, answer = post_json(running.url, comment())
    assert status == 503 and answer["reason"] == "unavailable"
    assert Path(tmp_path / "fehlt.json").exists() is False


def test_trackback_path_names_a_page_apart_from_a_post_with_the_same_slug(tmp_path):
    """/trackback/pages/<slug> is the page, /trackback/<slug> the post of the same slug."""
    from resonanz.receiver.site_targets import SiteTargets

    def entry(path, kind, key):
        return {"path": path, "url": TEST_SITEURL + path, "kind": kind, "slug": "team",
                "key": key, "responses": f"responses/{key}.yaml", "comments": True,
                "pings": True}

    listed = tmp_path / "targets.json"
    listed.write_text(json.dumps({"version": 1, "site_url": TEST_SITEURL + "/", "targets": [
        entry("/2026/03/team/", "article", "team"), entry("/team/", "page", "pages/team"),
    ]}), encoding="utf-8")
    targets = SiteTargets(str(listed), TEST_SITEURL + "/")
    assert targets.by_trackback_key("pages/team")["path"] == "/team/"
    assert targets.by_trackback_key("team")["path"] == "/2026/03/team/"
    assert targets.by_trackback_key("episodes/team") is None
