"""The live loop with real git: approvals become one commit of content/responses/ pushed to
a local bare remote; a refused push is rebased and retried; kill -9 loses nothing."""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import yaml
from test_receiver import SITE_URL, TARGET, TOKEN, auth_header, raw_request, write_targets

from resonanz.receiver.comment_store import CommentStore
from resonanz.receiver.config import ReceiverConfig
from resonanz.receiver.live import Publisher
from resonanz.receiver.loadtest import free_port, wait_for_port
from resonanz.receiver.store import Store

ROOT = Path(__file__).resolve().parent.parent
SLUG = "markenstimme-finden"
RESPONSES = f"content/responses/{SLUG}.yaml"


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=Redaktion", "-c", "user.email=red@resonanz.example", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def site_repository(tmp_path: Path) -> tuple[Path, Path]:
    """A bare remote with a small site, and the receiver's own clone of it."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(bare))
    editor = tmp_path / "editor"
    git(tmp_path, "clone", "--quiet", str(bare), str(editor))
    (editor / "content" / "posts").mkdir(parents=True)
    (editor / "content" / "responses").mkdir()
    (editor / "content" / "posts" / f"{SLUG}.md").write_text("Title: Markenstimme\n\nText.\n")
    (editor / RESPONSES).write_text("# Antworten, von Hand gepflegt\n[]\n")
    git(editor, "add", "-A")
    git(editor, "commit", "--quiet", "-m", "site")
    git(editor, "push", "--quiet", "origin", "HEAD:main")
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "--quiet", str(bare), str(checkout))
    return bare, checkout


def remote_log(bare: Path) -> list[str]:
    return git(bare, "log", "--format=%H", "main").splitlines()


def touched(bare: Path, commit: str) -> list[str]:
    return git(bare, "show", "--name-only", "--format=", commit).splitlines()


def remote_responses(bare: Path) -> list[dict]:
    return yaml.safe_load(git(bare, "show", f"main:{RESPONSES}")) or []


def config_for(tmp_path: Path, checkout: Path, **overrides) -> ReceiverConfig:
    return ReceiverConfig(
        site_url=SITE_URL,
        db_path=tmp_path / "receiver.sqlite3",
        git_checkout=str(checkout),
        git_batch_seconds=0.5,
        targets=str(write_targets(tmp_path / "targets.json", [TARGET])),
        **overrides,
    )


def add_comments(store: Store, *texts: str, approve: bool = True) -> list[int]:
    comments = CommentStore(store)
    ids = []
    for text in texts:
        data = {
            "target": TARGET,
            "author": "Eva",
            "author_url": "",
            "content": f"<p>{text}</p>",
            "in_reply_to": "",
        }
        ids.append(comments.add(data, "eva@leser.example", "abc", False, approved=approve).id)
    return ids


def test_approvals_become_one_commit_touching_only_the_responses_file(tmp_path):
    bare, checkout = site_repository(tmp_path)
    before = remote_log(bare)
    (checkout / "content" / "posts" / "entwurf.md").write_text("nicht committen\n")
    config = config_for(tmp_path, checkout)
    store = Store(config.db_path)
    add_comments(store, "Erster", "Zweiter")
    report = Publisher(store, config).publish_pending()
    after = remote_log(bare)
    assert len(after) == len(before) + 1 and after[0] == report.commit
    assert touched(bare, after[0]) == [RESPONSES]
    assert [e["content"] for e in remote_responses(bare)] == ["<p>Erster</p>", "<p>Zweiter</p>"]
    assert git(bare, "show", f"main:{RESPONSES}").startswith("# Antworten, von Hand gepflegt\n")
    assert CommentStore(store).unpushed() == []
    # nothing new: no commit
    assert Publisher(store, config).publish_pending().commit == ""
    assert remote_log(bare) == after


def test_a_refused_push_is_rebased_and_retried(tmp_path, caplog):
    bare, checkout = site_repository(tmp_path)
    config = config_for(tmp_path, checkout)
    store = Store(config.db_path)
    publisher = Publisher(store, config)
    add_comments(store, "Vorher")
    publisher.publish_pending()
    # an editor pushes a post just before the receiver's push: that push is refused
    editor, mark = tmp_path / "editor", tmp_path / "editor-pushed"
    hook = checkout / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/bin/sh\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n"
        f"[ -e '{mark}' ] && exit 0\ntouch '{mark}'\ncd '{editor}' || exit 1\n"
        "git pull -q --rebase origin main && printf 'Title: Neu\\n\\nNeu.\\n' > "
        "content/posts/neu.md && git add -A && git -c user.name=Red -c user.email=r@x "
        "commit -qm 'neuer Beitrag' && git push -q origin HEAD:main\n"
    )
    hook.chmod(0o755)
    add_comments(store, "Nachher")
    with caplog.at_level("WARNING", logger="resonanz.receiver.live"):
        publisher.publish_pending()
    assert mark.exists() and "push refused (attempt 1)" in caplog.text
    log = git(bare, "log", "--format=%s", "main").splitlines()
    assert log[:3] == ["responses: 1 approved", "neuer Beitrag", "responses: 1 approved"]
    assert [e["content"] for e in remote_responses(bare)] == ["<p>Vorher</p>", "<p>Nachher</p>"]
    assert git(bare, "show", "main:content/posts/neu.md") == "Title: Neu\n\nNeu."
    assert CommentStore(store).unpushed() == []


def test_forget_takes_published_comments_out_through_the_loop(tmp_path, monkeypatch, capsys):
    from resonanz.receiver import cli

    bare, checkout = site_repository(tmp_path)
    config = config_for(tmp_path, checkout)
    store = Store(config.db_path)
    add_comments(store, "Von Eva")
    other = CommentStore(store).add(
        {
            "target": TARGET,
            "author": "Tom",
            "author_url": "",
            "content": "<p>Von Tom</p>",
            "in_reply_to": "",
        },
        "tom@leser.example",
        "def",
        False,
        approved=True,
    )
    Publisher(store, config).publish_pending()
    for name, value in {
        "RESONANZ_SITE_URL": SITE_URL,
        "RESONANZ_RECEIVER_DB": str(config.db_path),
        "RESONANZ_GIT_CHECKOUT": str(checkout),
        "RESONANZ_RECEIVER_TARGETS": config.targets,
    }.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["forget", "Eva@Leser.example"]) == 0
    assert "forgot 1 comment(s)" in capsys.readouterr().out
    assert [e["author"] for e in remote_responses(bare)] == ["Tom"]
    assert touched(bare, remote_log(bare)[0]) == [RESPONSES]
    dump = "\n".join(Store(config.db_path)._connection().iterdump())
    assert "eva@leser.example" not in dump.lower() and "Von Eva" not in dump
    assert store.get(other.id) is not None


# -- kill -9 during the commit and during the push -------------------------------------------


def csrf(token: str = TOKEN) -> str:
    return hmac.new(token.encode(), b"resonanz-moderation", hashlib.sha256).hexdigest()


def start_receiver(tmp_path: Path, checkout: Path, port: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        RESONANZ_SITE_URL=SITE_URL,
        RESONANZ_RECEIVER_DB=str(tmp_path / "receiver.sqlite3"),
        RESONANZ_RECEIVER_PORT=str(port),
        RESONANZ_RECEIVER_TOKEN=TOKEN,
        RESONANZ_RECEIVER_TARGETS=str(write_targets(tmp_path / "targets.json", [TARGET])),
        RESONANZ_GIT_CHECKOUT=str(checkout),
        RESONANZ_GIT_BATCH_SECONDS="0.3",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "resonanz", "receiver", "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "receiver.log").open("ab"),
        start_new_session=True,  # its own process group: kill -9 takes git with it
    )
    wait_for_port(port)
    return process


def wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("stage", ["commit", "push"])
def test_kill_9_during_commit_or_push_loses_nothing(tmp_path, stage):
    bare, checkout = site_repository(tmp_path)
    before = remote_log(bare)
    mark = tmp_path / "hook-running"
    hook = (
        (checkout / ".git" / "hooks" / "pre-commit")
        if stage == "commit"
        else (bare / "hooks" / "pre-receive")
    )
    hook.write_text(f"#!/bin/sh\ntouch '{mark}'\nsleep 120\n")
    hook.chmod(0o755)
    port = free_port()
    process = start_receiver(tmp_path, checkout, port)
    try:
        fields = {
            "target": TARGET,
            "name": "Eva",
            "text": "Bitte nicht verlieren",
            "consent": "1",
        }
        status, _, _ = raw_request(
            f"http://127.0.0.1:{port}",
            "POST",
            "/comments",
            urllib.parse.urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 303
        moderate = urllib.parse.urlencode(
            {"id": "1", "action": "approve", "csrf": csrf(), "status": "pending"}
        ).encode()
        status, _, _ = raw_request(
            f"http://127.0.0.1:{port}",
            "POST",
            "/moderation",
            moderate,
            {**auth_header(), "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 303
        assert wait_for(mark.exists), f"the {stage} hook never ran"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert remote_log(bare) == before
    store = Store(tmp_path / "receiver.sqlite3")
    assert [m.pushed for m in store.list("approved")] == [""]
    hook.unlink()
    process = start_receiver(tmp_path, checkout, port)
    try:
        assert wait_for(lambda: len(remote_log(bare)) > len(before)), "never pushed"
        assert wait_for(lambda: store.list("approved")[0].pushed != "")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
    after = remote_log(bare)
    assert len(after) == len(before) + 1
    assert touched(bare, after[0]) == [RESPONSES]
    assert [e["content"] for e in remote_responses(bare)] == ["<p>Bitte nicht verlieren</p>"]


def test_an_older_database_gets_the_new_columns(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    schema = Path(ROOT / "resonanz" / "receiver" / "store.py").read_text()
    mentions = schema.split('SCHEMA = """', 1)[1].split("CREATE INDEX", 1)[0]
    old.executescript(mentions)  # the mentions table as the first release made it
    old.execute(
        "INSERT INTO mentions (key, kind, source, target, source_host, verification, received, "
        "moderation) VALUES ('k', 'webmention', 'https://a.example/', ?, 'a.example', "
        "'verified', '2026-01-01T00:00:00+00:00', 'approved')",
        (TARGET,),
    )
    old.commit()
    old.close()
    store = Store(path)
    [mention] = store.list("approved")
    assert (mention.pushed, mention.in_reply_to) == ("", "")
    assert CommentStore(store).unpushed() == [mention]


def test_the_targets_list_names_the_responses_file(tmp_path):
    import json

    bare, checkout = site_repository(tmp_path)
    listed = tmp_path / "listed.json"
    entry = {
        "path": "/ueber-uns/",
        "slug": "ueber-uns",
        "comments": True,
        "pings": True,
        "responses": "responses/seiten/ueber-uns.yaml",
    }
    listed.write_text(json.dumps({"version": 1, "targets": [entry]}))
    config = ReceiverConfig(**{**config_for(tmp_path, checkout).__dict__, "targets": str(listed)})
    store = Store(config.db_path)
    CommentStore(store).add(
        {
            "target": SITE_URL + "ueber-uns/",
            "author": "Eva",
            "author_url": "",
            "content": "<p>Seite</p>",
            "in_reply_to": "",
        },
        "",
        "abc",
        False,
        approved=True,
    )
    report = Publisher(store, config).publish_pending()
    assert touched(bare, report.commit) == ["content/responses/seiten/ueber-uns.yaml"]
