# lossbook: the two commands are `make book` and `make test`.
PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
JB_FLAGS := -W -n --keep-going
STAMP    := $(VENV)/.installed

.PHONY: book book-zh translations book-nosolutions test test-fast lint notebooks bench pdf pdf-zh serve lab clean help

help:
	@echo "make book              build the HTML site into _build/html (warnings are errors)"
	@echo "make test              run every test: lint, unit, doctests, notebooks (nbval), build, browser"
	@echo "make lint              ruff check and ruff format --check (configured in pyproject.toml)"
	@echo "make book-zh           build the Chinese edition (中文版) into _build/html/zh (after make book)"
	@echo "make translations      refresh the catalogues locales/zh_CN after an English change"
	@echo "make book-nosolutions  build the site without exercise solutions, into _build/nosolutions"
	@echo "make pdf               build the whole book as a PDF, _build/pdf/lossbook.pdf"
	@echo "make pdf-zh            the Chinese edition as a PDF, _build/pdf/lossbook-zh_CN.pdf"
	@echo "make notebooks         re-execute every chapter from book/_src"
	@echo "make bench             speed and accuracy tables (lossbook vs PyTorch vs textbook)"
	@echo "make serve             serve _build/html on http://127.0.0.1:8000"
	@echo "make lab               open the notebooks in JupyterLab"

$(STAMP): requirements.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "The site is in _build/html: open _build/html/index.html or run 'make serve'."

# The Chinese edition: the same notebooks (not executed again), the prose from the catalogues.
book-zh: $(STAMP)
	$(BIN)/python tools/editions.py build zh_CN
	@echo "Open _build/html/zh/index.html, or run 'make serve' and go to /zh/."

# After an English change: new messages arrive untranslated, changed ones fuzzy (tests fail on both).
translations: $(STAMP)
	$(BIN)/python tools/editions.py translations
	@echo "Translate what 'python tools/catalogue.py dump FILE.po --untranslated' lists (see CONTRIBUTING.md)."

book-nosolutions: $(STAMP)
	$(BIN)/python tools/nosolutions.py
	@echo "The site without solutions is in _build/nosolutions/_build/html."

test: $(STAMP) lint
	$(BIN)/python -m pytest

# One ruff configuration (pyproject.toml; book/_src/ruff.toml sets 88 columns for chapters).
LINTED := lossbook tests tools bench book/_src

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

notebooks: $(STAMP)
	$(BIN)/python tools/nb.py build --all

bench: $(STAMP)
	$(BIN)/python bench/bench_speed.py
	$(BIN)/python bench/bench_accuracy.py
	$(BIN)/python bench/bench_info.py
	$(BIN)/python bench/bench_regression.py
	$(BIN)/python bench/bench_contrastive.py
	$(BIN)/python bench/bench_memory.py

pdf: $(STAMP)
	$(BIN)/python tools/pdf.py

pdf-zh: $(STAMP)
	$(BIN)/python tools/pdf.py --no-execute --language zh_CN

serve:
	@echo "Serving _build/html on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory _build/html

lab: $(STAMP)
	$(BIN)/pip install --quiet jupyterlab
	$(BIN)/jupyter lab book/

clean:
	rm -rf _build
