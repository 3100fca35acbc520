"""`make devserver`: a resident Pelican that renders only what changed, with live reload.

site.py keeps the build in memory and decides what a change needs; watch.py polls the
folders; http.py serves output/ (Range requests, via resonanz/serve.py) with the live
reload script put into HTML answers; cli.py ties them together.
"""
