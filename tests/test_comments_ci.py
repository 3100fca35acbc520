"""The CI workflows: a push that changes only content/ skips the code tests, and no deploy in
progress is cancelled. The GitHub job's own shell step runs here against real git history."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml
from test_comments_live import git

ROOT = Path(__file__).resolve().parent.parent


def github() -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())


def changes_step(repo: Path, before: str, sha: str, event: str = "push") -> str:
    [step] = [s for s in github()["jobs"]["changes"]["steps"] if s.get("id") == "diff"]
    output = repo / "github-output"
    output.write_text("")
    env = {
        **os.environ,
        "BEFORE": before,
        "EVENT": event,
        "GITHUB_SHA": sha,
        "GITHUB_OUTPUT": str(output),
    }
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env, check=True)
    return output.read_text().strip()


def commit(repo: Path, path: str, text: str) -> str:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", path)
    return git(repo, "rev-parse", "HEAD")


def test_content_only_push_skips_the_code_tests(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet", "-b", "main")
    first = commit(repo, "plugins/a.py", "a = 1\n")
    comment = commit(repo, "content/responses/a.yaml", "- id: c\n")
    code = commit(repo, "plugins/a.py", "a = 2\n")
    assert changes_step(repo, first, comment) == "code=false"
    assert changes_step(repo, first, code) == "code=true"
    assert changes_step(repo, "0" * 40, comment) == "code=true"  # a new branch: test it all
    assert changes_step(repo, first, comment, event="pull_request") == "code=true"


def test_jobs_wire_the_skip_and_never_cancel_a_deploy():
    jobs = github()["jobs"]
    assert jobs["test"]["if"] == "needs.changes.outputs.code == 'true'"
    assert "needs.test.result == 'skipped'" in jobs["build"]["if"]
    assert jobs["build"]["concurrency"]["cancel-in-progress"] is False
    assert "refs/heads/main" in str(github()["concurrency"]["cancel-in-progress"])
    gitlab = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())
    assert gitlab["workflow"]["auto_cancel"]["on_new_commit"] == "interruptible"
    for job in ("deploy", "pages"):
        assert gitlab[job]["interruptible"] is False and gitlab[job]["resource_group"]
    assert gitlab["build"]["needs"] == [{"job": "test", "optional": True}]
