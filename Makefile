# Resonanz: build, serve, test and publish the site. `make help` lists the targets.
PY ?= python3
VENV ?= .venv
VENV_PY = $(VENV)/bin/python
PELICAN ?= $(VENV)/bin/pelican
PELICANOPTS ?=

BASEDIR = $(CURDIR)
INPUTDIR = $(BASEDIR)/content
OUTPUTDIR = $(BASEDIR)/output
CONFFILE = $(BASEDIR)/pelicanconf.py
PUBLISHCONF = $(BASEDIR)/publishconf.py

# Deploy targets (docs/betrieb.md, "Publishing"): only changed files are transferred.
SSH_HOST ?= localhost
SSH_PORT ?= 22
SSH_USER ?= deploy
SSH_TARGET_DIR ?= /var/www/resonanz
SSH_OPTS ?=
GITHUB_PAGES_BRANCH ?= gh-pages
GITHUB_PAGES_REMOTE ?= origin
GITHUB_PAGES_PUSH ?= 1
RCLONE ?= rclone
RCLONE_DEST ?=
RCLONE_FLAGS ?=
S3_DEST ?=

PORT ?= 8000
BIND ?= 127.0.0.1
# `make devserver` also runs the comment/linkback receiver here (moderation password: demo)
RECEIVER_PORT ?= 8085
RECEIVER_DB ?= $(BASEDIR)/.cache/receiver-dev.sqlite3
PYTEST_ARGS ?=
BENCH_ARGS ?=
CHECKOPTS ?=

DEBUG ?= 0
ifeq ($(DEBUG), 1)
	PELICANOPTS += -D
endif

RELATIVE ?= 0
ifeq ($(RELATIVE), 1)
	PELICANOPTS += --relative-urls
endif

STRICT ?= 0
ifeq ($(STRICT), 1)
	export RESONANZ_STRICT = 1
endif

# The virtualenv is (re)made whenever pyproject.toml changes.
STAMP = $(VENV)/.installed-stamp

# The browser CMS (/admin/): Decap CMS and its local proxy from npm, pinned in
# tools/cms/package-lock.json; npm writes node_modules/.package-lock.json on install.
NPM ?= npm
NODE ?= node
CMS_DIR = $(BASEDIR)/tools/cms
CMS_STAMP = $(CMS_DIR)/node_modules/.package-lock.json
CMS_PORT ?= 8081
export RESONANZ_CMS_PORT = $(CMS_PORT)

.PHONY: help install sysdeps cms cms-install receiver import episode responses embed-previews demo-audio fixtures html clean regenerate serve devserver publish rsync_upload github s3_upload deploy test lint check lighthouse screenshots bench bench-receiver

help:
	@echo 'Resonanz: Makefile for the community site'
	@echo ''
	@echo 'Usage:'
	@echo '   make install        create .venv and install the project (done by every target)'
	@echo '   make sysdeps        install Debian packages the tests need (ffmpeg, chromium, ...)'
	@echo '   make html           build the site into output/'
	@echo '   make clean          remove output/ and build caches'
	@echo '   make regenerate     rebuild on every change'
	@echo '   make serve [PORT=8000]     serve output/ on http://$(BIND):PORT'
	@echo '   make devserver [PORT=8000] serve on http://$(BIND):PORT, re-render on save, live reload'
	@echo '                       with the receiver on RECEIVER_PORT=8085 (comment form works)'
	@echo '   make cms [CMS_PORT=8081]   local proxy of the browser CMS: /admin/ writes into content/'
	@echo '   make publish        build with publishconf.py (production, strict) into a fresh dir, then swap'
	@echo '   make rsync_upload   publish, then rsync over SSH (SSH_HOST, SSH_PORT, SSH_USER, SSH_TARGET_DIR)'
	@echo '   make github         publish, then push to GitHub Pages (GITHUB_PAGES_BRANCH)'
	@echo '   make s3_upload      publish, then sync to S3 with Content-Type and cache headers (S3_DEST)'
	@echo '   make deploy         publish, then rclone sync to any host (RCLONE_DEST=remote:path)'
	@echo '   make test           set up and run the whole test suite'
	@echo '   make lint           ruff on plugins, tools and tests'
	@echo '   make check [CHECKOPTS=...]  build, then check links, HTML, accessibility, feeds, JSON-LD, Lighthouse'
	@echo '   make lighthouse     install Lighthouse (npm ci in tools/lighthouse; done by check and test)'
	@echo '   make screenshots    build, then PNGs of every template (desktop/mobile, light/dark) in screenshots/'
	@echo '   make responses [JF2=file]  pull new webmentions into content/responses/ (WEBMENTION_IO_TOKEN)'
	@echo '   make embed-previews store preview images of videos in content/images/embeds/ (network)'
	@echo '   make receiver       run the Webmention/Pingback/TrackBack receiver (env RESONANZ_*)'
	@echo '   make episode FILE=audio.mp3 [MOVE=1]  show notes for an audio file, audio copied (moved) into content/episodes/'
	@echo '   make import FROM=wordpress|blogger|movabletype FILE=export.xml  move an old blog in'
	@echo '   make bench [BENCH_ARGS="--sizes 500:50"]  build speed and memory against stock Pelican'
	@echo '   make bench-receiver load test of the linkback receiver on 127.0.0.1'
	@echo ''
	@echo 'Switches: DEBUG=1 (verbose), RELATIVE=1 (relative URLs), STRICT=1 (content warnings fail).'

$(STAMP): pyproject.toml constraints.txt
	test -x "$(VENV_PY)" || $(PY) -m venv "$(VENV)"
	"$(VENV_PY)" -m pip install --quiet --upgrade pip
	"$(VENV_PY)" -m pip install --quiet -c constraints.txt -e ".[test]"
	touch "$(STAMP)"

install: $(STAMP)

# Without npm the site still builds, without /admin/ (the build says so once).
$(CMS_STAMP): tools/cms/package.json tools/cms/package-lock.json
	@if command -v "$(NPM)" >/dev/null 2>&1; then \
		"$(NPM)" ci --prefix "$(CMS_DIR)" --no-audit --no-fund --loglevel=error; \
	else echo "cms-install: $(NPM) not found; building without /admin/ (docs/betrieb-cms.md)"; fi

cms-install: $(CMS_STAMP)

cms: $(CMS_STAMP)
	@echo "Local CMS proxy on http://127.0.0.1:$(CMS_PORT) writes into $(INPUTDIR)/."
	@echo "Open http://$(BIND):$(PORT)/admin/ from 'make devserver' (built with the same CMS_PORT)."
	PORT=$(CMS_PORT) BIND_HOST=127.0.0.1 MODE=fs LOG_LEVEL=warn GIT_REPO_DIRECTORY="$(BASEDIR)" \
		"$(NODE)" "$(CMS_DIR)/node_modules/decap-server/dist/index.js"

# Lighthouse 12 from the committed lock file (the current major needs a newer Node than Debian's).
LIGHTHOUSE_DIR = $(BASEDIR)/tools/lighthouse
LIGHTHOUSE_STAMP = $(LIGHTHOUSE_DIR)/node_modules/.installed-stamp
$(LIGHTHOUSE_STAMP): $(LIGHTHOUSE_DIR)/package.json $(LIGHTHOUSE_DIR)/package-lock.json
	npm ci --prefix "$(LIGHTHOUSE_DIR)" --no-audit --no-fund --loglevel=error
	touch "$(LIGHTHOUSE_STAMP)"

lighthouse: $(LIGHTHOUSE_STAMP)

sysdeps:
	bash .ci/sysdeps

html: $(STAMP) $(CMS_STAMP)
	"$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

clean:
	rm -rf "$(OUTPUTDIR)" "$(OUTPUTDIR).new" "$(OUTPUTDIR).old" "$(BASEDIR)/.cache" "$(BASEDIR)/__pycache__"

regenerate: $(STAMP) $(CMS_STAMP)
	"$(PELICAN)" -r "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

# Our server, not `pelican -l`: it answers Range requests, so audio seeks (chapter links).
serve: $(STAMP)
	"$(VENV_PY)" -m resonanz serve "$(OUTPUTDIR)" -b "$(BIND)" -p $(PORT)

devserver: $(STAMP) $(CMS_STAMP)
	@mkdir -p "$$(dirname "$(RECEIVER_DB)")"
	@echo "devserver: receiver on http://$(BIND):$(RECEIVER_PORT)/moderation (password: demo)"
	RESONANZ_SITE_URL="http://$(BIND):$(PORT)/" RESONANZ_RECEIVER_OUTPUT="$(OUTPUTDIR)" \
	RESONANZ_RECEIVER_DB="$(RECEIVER_DB)" RESONANZ_RECEIVER_TOKEN=demo \
	"$(VENV_PY)" -m resonanz receiver serve --host "$(BIND)" --port $(RECEIVER_PORT) & receiver=$$!; \
	trap 'kill $$receiver 2>/dev/null' EXIT INT TERM; \
	RESONANZ_RECEIVER_URL="http://$(BIND):$(RECEIVER_PORT)" \
	"$(VENV_PY)" -m resonanz devserver "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" \
		-b "$(BIND)" -p $(PORT) $(PELICANOPTS) \
		-e SITEURL='"http://$(BIND):$(PORT)"' CANONICAL_SITEURL='"http://$(BIND):$(PORT)"'

publish: $(STAMP) $(CMS_STAMP)
	RESONANZ_STRICT=1 "$(VENV_PY)" -m resonanz publish --settings "$(PUBLISHCONF)" --content "$(INPUTDIR)" --output "$(OUTPUTDIR)" -- $(PELICANOPTS)

rsync_upload: publish
	rsync -e "ssh -p $(SSH_PORT) $(SSH_OPTS)" -rlptvzc --delete --stats --exclude "/_hosting/" "$(OUTPUTDIR)"/ "$(SSH_USER)@$(SSH_HOST):$(SSH_TARGET_DIR)"

github: publish
	"$(VENV)/bin/ghp-import" -m "Site built from $$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" -b "$(GITHUB_PAGES_BRANCH)" -r "$(GITHUB_PAGES_REMOTE)" --no-jekyll $(if $(filter 1,$(GITHUB_PAGES_PUSH)),--push) "$(OUTPUTDIR)"

s3_upload: publish
	"$(VENV_PY)" -m resonanz deploy-s3 --rclone "$(RCLONE)" --output "$(OUTPUTDIR)" --dest "$(S3_DEST)" -- $(RCLONE_FLAGS)

deploy: publish
	@test -n "$(RCLONE_DEST)" || { echo "deploy: set RCLONE_DEST=remote:path (docs/betrieb.md, 'Publishing')" >&2; exit 2; }
	"$(RCLONE)" sync "$(OUTPUTDIR)" "$(RCLONE_DEST)" -v --stats-one-line --exclude "/_hosting/**" $(RCLONE_FLAGS)

test: sysdeps $(STAMP) $(CMS_STAMP) $(LIGHTHOUSE_STAMP)
	"$(VENV_PY)" -m pytest $(PYTEST_ARGS)

check: $(STAMP) $(CMS_STAMP) $(LIGHTHOUSE_STAMP)
	"$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)
	"$(VENV_PY)" -m resonanz check "$(OUTPUTDIR)" $(CHECKOPTS)

# Review pictures, not a test: one page per template; screenshots/ is not committed.
screenshots: html
	"$(VENV_PY)" -m resonanz screenshots "$(OUTPUTDIR)" --out "$(BASEDIR)/screenshots"

bench: $(STAMP) $(CMS_STAMP)
	"$(VENV_PY)" -m resonanz bench $(BENCH_ARGS)

bench-receiver: $(STAMP)
	"$(VENV_PY)" -m resonanz receiver loadtest --seconds 10 --clients 4

responses: $(STAMP)
	"$(VENV_PY)" -m resonanz responses $(if $(JF2),"$(JF2)")

embed-previews: $(STAMP)
	PYTHONPATH="$(BASEDIR)/plugins" "$(VENV_PY)" -m resonanz_embeds.previews --content "$(INPUTDIR)"

receiver: $(STAMP)
	"$(VENV_PY)" -m resonanz receiver serve

import: $(STAMP)
	@test -n "$(FILE)" -a -n "$(FROM)" || { echo "import: set FROM=wordpress|blogger|movabletype FILE=export" >&2; exit 2; }
	"$(VENV_PY)" -m resonanz import --from "$(FROM)" "$(FILE)" --content "$(INPUTDIR)" $(IMPORTOPTS)

episode: $(STAMP)
	@test -n "$(FILE)" || { echo "episode: set FILE=audio.mp3 (MOVE=1 moves it instead of copying)" >&2; exit 2; }
	"$(VENV_PY)" -m resonanz new-episode "$(FILE)" $(if $(filter 1,$(MOVE)),--move,--copy) --settings "$(CONFFILE)"

demo-audio:
	"$(CURDIR)/resonanz/make_demo_audio.sh"

fixtures:
	"$(CURDIR)/tests/fixtures/audio/make_fixtures.sh"

lint: $(STAMP)
	"$(VENV)/bin/ruff" check plugins resonanz tests pelicanconf.py publishconf.py
