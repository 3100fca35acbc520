"""The bench's Hugo yardstick: the posts written as a Hugo site are ones Hugo builds, with
the same titles, dates, tags and text. Only where `hugo` is installed (never a
dependency); the timing itself runs in `make bench`, not here."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from lxml import html

from resonanz.bench import make_site
from resonanz.bench_devserver import write_hugo_site

HUGO = shutil.which("hugo")
pytestmark = pytest.mark.skipif(HUGO is None, reason="needs hugo (apt-get install hugo)")

ODD = ('Title: Ein "Zitat" mit \\ Backslash, Umlauten: Straße\nDate: 2024-03-05 07:08\n'
       "Category: Service\nTags: Zuhören, Krisen\nAuthor: Ece Yıldız\nSlug: beitrag-00099\n"
       "Summary: Kurz.\n\nDer Text mit **Markdown**.\n")


def test_hugo_builds_the_bench_posts_with_their_fields(tmp_path):
    content = make_site(tmp_path, 3, 0, 0)
    (content / "posts" / "beitrag-00099.md").write_text(ODD, encoding="utf-8")
    site = write_hugo_site(content, tmp_path / "hugo-site")
    done = subprocess.run([HUGO, "--source", str(site), "--destination", str(tmp_path / "out")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ERROR" not in done.stdout + done.stderr
    for source in sorted((content / "posts").glob("*.md")):
        fields = dict(line.split(": ", 1) for line in
                      source.read_text(encoding="utf-8").split("\n\n")[0].splitlines())
        page = html.parse(str(tmp_path / "out" / "posts" / fields["Slug"] / "index.html"))
        assert page.findtext(".//h1") == fields["Title"]
        assert page.findtext(".//time") == fields["Date"].split(" ")[0]
        tags = [a.text for a in page.iterfind(".//main/a")]
        assert sorted(tags) == sorted(t.strip() for t in fields["Tags"].split(","))
        assert page.xpath("//main/p")
    odd = html.parse(str(tmp_path / "out" / "posts" / "beitrag-00099" / "index.html"))
    assert odd.findtext(".//strong") == "Markdown"
    home = html.parse(str(tmp_path / "out" / "index.html"))
    assert len(home.xpath("//article")) == 4
