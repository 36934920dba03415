# The two quick-start commands (see README):
#   make brief   set up, then build the seed brief as brief.pdf
#   make test    set up, then run lint, type checks and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: brief test bench quality lint clean chromium picture

brief: $(VENV)/.installed
	$(BIN)/briefing build seeds --format pdf --output brief.pdf --no-history  # the same brief every run

test: $(VENV)/.installed-test chromium
	$(BIN)/ruff check briefing tests bench
	$(BIN)/mypy
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict  # docs/ as a site (docs/development.md)
	$(BIN)/pytest

# The picture of the seed brief in README.md and docs/index.md: page 1 of the seed PDF
# (dated, so it is the same each time) at 96 dpi, in 64 colours. Refresh it, and look
# at it, after a change to how a brief looks.
picture: $(VENV)/.installed-test
	mkdir -p artifacts
	$(BIN)/briefing build seeds --format pdf --output artifacts/seed-brief.pdf --date 2025-05-28
	$(BIN)/python -c 'import pypdfium2; page = pypdfium2.PdfDocument("artifacts/seed-brief.pdf")[0]; page.render(scale=96 / 72).to_pil().quantize(colors=64).save("docs/images/seed-brief.png", optimize=True)'

# Benchmarks print figures (README "Speed and scale"); they pass or fail nothing.
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py

# Brief quality on the real-news corpus (bench/realnews/README.md: how to get it).
quality: $(VENV)/.installed-bench
	$(BIN)/python bench/quality.py

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

# The default spaCy model is installed first, checked against its pinned hash.
$(VENV)/.installed: $(VENV)/.created pyproject.toml requirements-model.txt
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-model.txt
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test,docs]"
	touch $@

# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
chromium:
	@test -x /usr/bin/chromium || { \
	  echo "installing the Debian package chromium for the browser tests"; \
	  apt-get update -qq && apt-get install -y -qq chromium; } || { \
	  echo "make: /usr/bin/chromium is missing; run: apt-get install -y chromium (as root)"; \
	  exit 1; }

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $@

clean:
	rm -rf $(VENV) brief.pdf brief.html brief.json brief.eml artifacts .pytest_cache .mypy_cache .ruff_cache
