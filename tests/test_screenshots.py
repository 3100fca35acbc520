"""`make screenshots`: PNGs of a page at both viewports and in both colour schemes, written
outside the output (review pictures; the layout itself is tested in test_layout_browser.py)."""

from __future__ import annotations

import pytest
from conftest import CHROMIUM, chromium_available

from resonanz.check.site import Site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed"),
]

def test_screenshots_cover_both_viewports_and_schemes_outside_the_output(demo_site, tmp_path):
    from PIL import Image

    from resonanz.screenshots import main, take_screenshots

    site = Site(demo_site.output)
    written = take_screenshots(site, tmp_path / "shots", pages=[demo_site.output / "index.html"])
    assert sorted(p.name for p in written) == [
        "home--desktop-dark.png", "home--desktop-light.png",
        "home--mobile-dark.png", "home--mobile-light.png"]
    widths = {p.name.split("--")[1]: Image.open(p).size[0] for p in written}
    assert widths == {"desktop-dark.png": 1366, "desktop-light.png": 1366,
                      "mobile-dark.png": 390, "mobile-light.png": 390}
    # a dark page is dark: the top left corner (the header) is not near white
    dark = Image.open(tmp_path / "shots" / "home--mobile-dark.png").convert("L")
    assert dark.getpixel((5, 5)) < 80
    # the review pictures never land where a deploy would publish them
    assert main([str(demo_site.output), "--out", str(demo_site.output / "shots")]) == 2
    assert not (demo_site.output / "shots").exists()
