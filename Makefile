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

PORT ?= 8000
BIND ?= 127.0.0.1
PYTEST_ARGS ?=

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

.PHONY: help install sysdeps html clean regenerate serve devserver publish test lint check bench

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
	@echo '   make devserver [PORT=8000] rebuild on change and serve on http://$(BIND):PORT'
	@echo '   make publish        build with publishconf.py (production, strict)'
	@echo '   make test           set up and run the whole test suite'
	@echo '   make lint           ruff on plugins, tools and tests'
	@echo ''
	@echo 'Switches: DEBUG=1 (verbose), RELATIVE=1 (relative URLs), STRICT=1 (content warnings fail).'

$(STAMP): pyproject.toml
	test -x "$(VENV_PY)" || $(PY) -m venv "$(VENV)"
	"$(VENV_PY)" -m pip install --quiet --upgrade pip
	"$(VENV_PY)" -m pip install --quiet -e ".[test]"
	touch "$(STAMP)"

install: $(STAMP)

sysdeps:
	bash .ci/sysdeps

html: $(STAMP)
	"$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

clean:
	rm -rf "$(OUTPUTDIR)" "$(BASEDIR)/.cache" "$(BASEDIR)/__pycache__"

regenerate: $(STAMP)
	"$(PELICAN)" -r "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" $(PELICANOPTS)

serve: $(STAMP)
	"$(PELICAN)" -l "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" -b "$(BIND)" -p $(PORT) $(PELICANOPTS)

devserver: $(STAMP)
	"$(PELICAN)" -lr "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(CONFFILE)" -b "$(BIND)" -p $(PORT) $(PELICANOPTS)

publish: $(STAMP)
	RESONANZ_STRICT=1 "$(PELICAN)" "$(INPUTDIR)" -o "$(OUTPUTDIR)" -s "$(PUBLISHCONF)" $(PELICANOPTS)

test: $(STAMP) sysdeps
	"$(VENV_PY)" -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	"$(VENV)/bin/ruff" check plugins resonanz tests pelicanconf.py publishconf.py
