"""Publishing: reproducible bytes, a failed build keeps the old site, deploys move only changes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CONTENT, ROOT, build_site, free_port, tree_digest

POST = "Title: {title}\nDate: 2026-11-2{day} 09:30\nCategory: Test\n\n{body}\n"


def make(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=600,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"make {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def small_site(tmp_path) -> Path:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    for day in range(1, 4):
        (content / "posts" / f"beitrag-{day}.md").write_text(
            POST.format(title=f"Beitrag {day}", day=day, body="Ein kurzer Text. " * 20),
            encoding="utf-8",
        )
    return content


# Pagefind writes parts of its index in a different order on every run (pagefind#638);
# every page, feed and asset is compared, the search index is not.
NOT_REPRODUCIBLE = ("pagefind/",)


def comparable(digest: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in digest.items() if not k.startswith(NOT_REPRODUCIBLE)}


def site_files(output: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(output).items() if not k.startswith("_hosting/")}


def test_two_builds_of_the_demo_are_byte_identical(tmp_path):
    first = build_site(CONTENT, tmp_path / "a" / "output")
    second = build_site(CONTENT, tmp_path / "b" / "output")
    assert first.error is None and second.error is None
    digest_a = comparable(tree_digest(first.output))
    digest_b = comparable(tree_digest(second.output))
    assert len(digest_a) > 50
    assert sorted(digest_a) == sorted(digest_b)
    different = [name for name in digest_a if digest_a[name] != digest_b[name]]
    assert different == []


def test_failed_publish_keeps_the_previous_output(small_site, tmp_path):
    output = tmp_path / "output"
    make("publish", f"INPUTDIR={small_site}", f"OUTPUTDIR={output}")
    assert (output / "index.html").is_file()
    before = tree_digest(output)

    # A template that raises while pages are being written: the build dies halfway.
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "templates" / "kaputt.html").write_text("{{ 1 // 0 }}", encoding="utf-8")
    (small_site / "posts" / "beitrag-9.md").write_text(
        "Title: Kaputt\nDate: 2026-11-29 09:00\nCategory: Test\nTemplate: kaputt\n\nX\n",
        encoding="utf-8",
    )
    result = make("publish", f"INPUTDIR={small_site}", f"OUTPUTDIR={output}",
                  f"PELICANOPTS=-t {theme}", check=False)
    assert result.returncode != 0
    assert "was left as it was" in result.stderr
    assert tree_digest(output) == before
    assert not output.with_name("output.new").exists()

    # A strict-mode failure (bad date) at the very end is no different.
    (small_site / "posts" / "beitrag-9.md").write_text(
        "Title: Kaputt\nDate: 2026-13-45\nCategory: Test\n\nX\n", encoding="utf-8"
    )
    result = make("publish", f"INPUTDIR={small_site}", f"OUTPUTDIR={output}", check=False)
    assert result.returncode != 0 and tree_digest(output) == before


def test_successful_publish_replaces_output_and_keeps_mtimes_of_unchanged_files(
    small_site, tmp_path
):
    output = tmp_path / "output"
    make("publish", f"INPUTDIR={small_site}", f"OUTPUTDIR={output}")
    css = output / "theme" / "css" / "site.css"
    os.utime(css, (1_000_000_000, 1_000_000_000))
    (small_site / "posts" / "beitrag-4.md").write_text(
        POST.format(title="Neu", day=4, body="Neu."), encoding="utf-8"
    )
    make("publish", f"INPUTDIR={small_site}", f"OUTPUTDIR={output}")
    assert (output / "2026" / "11" / "neu" / "index.html").is_file()
    assert css.stat().st_mtime == 1_000_000_000  # unchanged bytes, old time: nothing to upload
    assert not output.with_name("output.old").exists()


def _start_sshd(tmp_path: Path) -> tuple[subprocess.Popen, int, Path] | None:
    sshd = shutil.which("sshd") or "/usr/sbin/sshd"
    if not os.path.exists(sshd) or os.geteuid() != 0 or not shutil.which("ssh-keygen"):
        return None
    keys = tmp_path / "ssh"
    keys.mkdir()
    for name in ("host", "client"):
        command = ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys / name]
        subprocess.run(command, check=True)
    shutil.copy(keys / "client.pub", keys / "authorized_keys")
    port = free_port()
    config = keys / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host'}\n"
        f"AuthorizedKeysFile {keys / 'authorized_keys'}\nPidFile {keys / 'sshd.pid'}\n"
        "PermitRootLogin prohibit-password\nPasswordAuthentication no\nStrictModes no\n"
        "UsePAM no\nSubsystem sftp internal-sftp\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)
    process = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    return process, port, keys / "client"


def _wait_for_port(port: int) -> None:
    import socket
    import time

    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


def test_rsync_upload_over_ssh_transfers_only_changes(small_site, tmp_path):
    if not shutil.which("rsync"):
        pytest.fail("rsync is missing: run `make sysdeps`")
    started = _start_sshd(tmp_path)
    if started is None:
        pytest.fail("sshd is unavailable (not root or openssh-server missing): run `make sysdeps`")
    process, port, key = started
    remote = tmp_path / "remote"
    remote.mkdir()
    output = tmp_path / "output"
    opts = (f"-i {key} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
            "-o BatchMode=yes -o LogLevel=ERROR")
    args = ["rsync_upload", f"INPUTDIR={small_site}", f"OUTPUTDIR={output}", "SSH_HOST=127.0.0.1",
            f"SSH_PORT={port}", f"SSH_USER={os.environ.get('USER', 'root')}",
            f"SSH_TARGET_DIR={remote}", f"SSH_OPTS={opts}"]
    try:
        _wait_for_port(port)
        first = make(*args)
        assert site_files(remote) == site_files(output)
        assert not (remote / "_hosting").exists()
        assert int(re.search(r"Number of regular files transferred: (\d+)", first.stdout)[1]) > 5
        second = make(*args)
        # only the search index may move again (NOT_REPRODUCIBLE); every other file stays
        listed = second.stdout.split("sending incremental file list", 1)[1].split("\n\n", 1)[0]
        moved = [n for n in listed.split() if not n.endswith("/")]
        assert all(n.startswith(NOT_REPRODUCIBLE) for n in moved), moved
        count = int(re.search(r"Number of regular files transferred: (\d+)", second.stdout)[1])
        assert count == len(moved)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_rclone_deploy_to_sftp_on_loopback_transfers_only_changes(small_site, tmp_path):
    rclone = shutil.which("rclone")
    if not rclone:
        pytest.fail("rclone is missing: run `make sysdeps`")
    remote = tmp_path / "remote"
    remote.mkdir()
    port = free_port()
    server = subprocess.Popen(
        [rclone, "serve", "sftp", str(remote), "--addr", f"127.0.0.1:{port}",
         "--user", "resonanz", "--pass", "geheim"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    obscured = subprocess.run([rclone, "obscure", "geheim"], capture_output=True, text=True,
                              check=True).stdout.strip()
    env = {
        "RCLONE_CONFIG": str(tmp_path / "rclone.conf"),
        "RCLONE_CONFIG_LOOP_TYPE": "sftp", "RCLONE_CONFIG_LOOP_HOST": "127.0.0.1",
        "RCLONE_CONFIG_LOOP_PORT": str(port), "RCLONE_CONFIG_LOOP_USER": "resonanz",
        "RCLONE_CONFIG_LOOP_PASS": obscured,
    }
    output = tmp_path / "output"
    args = ["deploy", f"INPUTDIR={small_site}", f"OUTPUTDIR={output}", "RCLONE_DEST=loop:"]
    try:
        _wait_for_port(port)
        first = make(*args, env=env)
        assert site_files(remote) == site_files(output)
        assert "Copied (new)" in first.stdout + first.stderr
        second = make(*args, env=env)
        log = second.stdout + second.stderr
        changed = [line for line in log.splitlines() if "Copied" in line or "Deleted" in line]
        assert all(f" {prefix}" in line for line in changed for prefix in NOT_REPRODUCIBLE), log
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_github_pages_target_commits_the_site_to_a_branch(small_site, tmp_path):
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    work = tmp_path / "repo.git"
    subprocess.run(["git", "init", "-q", "--bare", str(work)], check=True)
    output = tmp_path / "output"
    env = {"GIT_DIR": str(work), "GIT_AUTHOR_NAME": "CI", "GIT_AUTHOR_EMAIL": "ci@example.org",
           "GIT_COMMITTER_NAME": "CI", "GIT_COMMITTER_EMAIL": "ci@example.org"}
    make("github", f"INPUTDIR={small_site}", f"OUTPUTDIR={output}",
         f"GITHUB_PAGES_REMOTE={origin}", env=env)
    files = subprocess.run(["git", "--git-dir", str(origin), "ls-tree", "-r", "--name-only",
                            "gh-pages"], capture_output=True, text=True, check=True).stdout.split()
    assert "index.html" in files and ".nojekyll" in files


def make_targets_called(text: str) -> set[str]:
    return set(re.findall(r"\bmake\s+(?:-\S+\s+)*([a-z_0-9]+)", text))


def test_workflows_are_valid_yaml_and_use_the_documented_targets():
    readme = "\n".join(path.read_text(encoding="utf-8")
                       for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))])
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = set(re.search(r"^\.PHONY:(.*)$", makefile, re.M)[1].split())
    workflows = [ROOT / ".github" / "workflows" / "site.yml", ROOT / ".gitlab-ci.yml"]
    for path in workflows:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict) and data, path
        targets = make_targets_called(path.read_text(encoding="utf-8"))
        assert {"test", "publish", "check"} <= targets, (path, targets)
        for target in targets:
            assert target in phony, f"{path.name}: make {target} is not a Makefile target"
            assert f"make {target}" in readme, f"{path.name}: make {target} is not documented"
    github = yaml.safe_load(workflows[0].read_text(encoding="utf-8"))
    triggers = github[True]  # YAML 1.1 reads the key `on` as True
    assert "push" in triggers and "pull_request" in triggers


def test_publish_builds_are_reproducible_with_precompressed_files(tmp_path):
    first, second = tmp_path / "a" / "output", tmp_path / "b" / "output"
    make("publish", f"OUTPUTDIR={first}")
    make("publish", f"OUTPUTDIR={second}")
    digest_a, digest_b = comparable(tree_digest(first)), comparable(tree_digest(second))
    assert any(name.endswith(".html.gz") for name in digest_a)
    assert any(name.endswith(".html.br") for name in digest_a)
    assert digest_a == digest_b


def test_s3_upload_sets_types_and_cache_headers_and_skips_unchanged(small_site, tmp_path):
    rclone = shutil.which("rclone")
    if not rclone:
        pytest.fail("rclone is missing: run `make sysdeps`")
    import boto3

    port = free_port()
    # its own process: moto imports the PyPI package `responses`, which our plugin of the
    # same name shadows on this test process's path
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    # rclone 1.60 refuses a custom CA bundle on plain http; this machine sets one
    env = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}
    env.update({
        "RCLONE_CONFIG": str(tmp_path / "rclone.conf"), "RCLONE_CONFIG_S3_TYPE": "s3",
        "RCLONE_CONFIG_S3_PROVIDER": "Other", "RCLONE_CONFIG_S3_ENDPOINT": endpoint,
        "RCLONE_CONFIG_S3_ACCESS_KEY_ID": "resonanz",
        "RCLONE_CONFIG_S3_SECRET_ACCESS_KEY": "geheim",
        "RCLONE_CONFIG_S3_REGION": "eu-central-1",
    })
    output = tmp_path / "output"
    try:
        _wait_for_port(port)
        subprocess.run([rclone, "mkdir", "s3:site"], env=env, check=True, capture_output=True)
        args = ["s3_upload", f"INPUTDIR={small_site}", f"OUTPUTDIR={output}", "S3_DEST=s3:site"]
        result = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="resonanz",
                              aws_secret_access_key="geheim", region_name="eu-central-1",
                              verify=False)
        keys = {o["Key"] for o in client.list_objects_v2(Bucket="site")["Contents"]}
        assert set(site_files(output)) == keys
        expected = {
            "index.html": ("text/html; charset=utf-8", "max-age=300"),
            "feeds/alle.atom.xml": ("application/atom+xml; charset=utf-8", "max-age=300"),
            "feeds/alle.rss.xml": ("application/rss+xml; charset=utf-8", "max-age=300"),
            "sitemap.xml": ("application/xml; charset=utf-8", "max-age=3600"),
            "theme/css/site.css": ("text/css; charset=utf-8", "max-age=86400"),
        }
        for key, (content_type, cache) in expected.items():
            head = client.head_object(Bucket="site", Key=key)
            assert head["ContentType"] == content_type, key
            assert cache in head["CacheControl"], key
        again = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=600)
        assert again.returncode == 0
        log = again.stdout + again.stderr
        changed = [line for line in log.splitlines() if "Copied" in line or "Deleted" in line]
        assert all(f" {prefix}" in line for line in changed for prefix in NOT_REPRODUCIBLE), log
    finally:
        server.terminate()
        server.wait(timeout=10)
