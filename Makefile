# paiban: the two commands are `make render` and `make test`; both set up everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
SAMPLE := editions/sample/edition.yaml
# Debian tools the tests read our PDFs with (pdftotext, pdffonts, pdftoppm, qpdf, hb-view),
# the browser the live-preview test drives (chromium), Ghostscript for press renders and
# the supplied ads tests/test_supplied.py makes from PostScript (ps2pdf), zbarimg to decode
# the QR codes we draw, and Unicode's LineBreakTest.txt (a command or a file : the package that has it)
TEST_TOOLS := pdftotext:poppler-utils pdffonts:poppler-utils pdftoppm:poppler-utils pdfimages:poppler-utils \
              qpdf:qpdf hb-view:libharfbuzz-bin chromium:chromium gs:ghostscript ps2pdf:ghostscript \
              zbarimg:zbar-tools \
              /usr/share/unicode/auxiliary/LineBreakTest.txt:unicode-data

.PHONY: render test bench fuzz golden schema sample-images sample-ad setup fonts profiles bytecode test-tools clean distclean

render: setup
	$(BIN)/python render.py $(SAMPLE) -o out/sample.pdf

test: setup test-tools
	$(BIN)/python -m pytest -q

# performance figures (a benchmark, never a test): a table, and out/bench.json
bench: setup
	$(BIN)/python bench/run.py

# the standing campaign (tests/fuzz/): FUZZ_CASES generated hostile cases (editions over
# every model key, YAML, story text in every script, files, flags), each bounded in time
# and memory and classified; prints what became of each class and saves the first
# failing cases under out/fuzz/. Then the property-based campaigns with more examples
# than make test's: generated editions (FUZZ_EXAMPLES), and unbreakable runs read back
# from the PDF and hostile values for every model key (FUZZ_PROPERTY_EXAMPLES each).
# All run; the target fails if any found a failure.
FUZZ_CASES ?= 10000
FUZZ_SEED ?= 1
FUZZ_EXAMPLES ?= 2000
FUZZ_PROPERTY_EXAMPLES ?= 300
fuzz: setup
	@status=0; \
	PAIBAN_SERVER=0 nice -n 10 $(BIN)/python -m tests.fuzz --cases $(FUZZ_CASES) --seed $(FUZZ_SEED) || status=1; \
	PAIBAN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/test_properties.py \
	  --hypothesis-show-statistics -p no:cacheprovider || status=1; \
	PAIBAN_FUZZ_EXAMPLES=$(FUZZ_PROPERTY_EXAMPLES) $(BIN)/python -m pytest -q tests/test_no_word_lost.py \
	  tests/test_hostile_input.py --hypothesis-show-statistics -p no:cacheprovider || status=1; \
	exit $$status

# pictures of pages 1 and 3 of the sample for the README, made by our own --png preview
sample-images: setup
	$(BIN)/python render.py $(SAMPLE) --page 1 --png --dpi 40 -o docs/images/sample-1.png
	$(BIN)/python render.py $(SAMPLE) --page 3 --png --dpi 40 -o docs/images/sample-3.png

# the sample's supplied ad (page 2) and the paper's lettering, PDFs made with paiban from their sources
sample-ad: setup
	$(BIN)/python render.py editions/sample/ads/legal-aid.yaml -o editions/sample/ads/legal-aid.pdf
	$(BIN)/python render.py editions/sample/house/lettering.yaml -o editions/sample/house/lettering.pdf

# writes the golden traces of tests/golden/*/ again, after a deliberate layout change
# (the same text as `render.py EDITION --trace -o -`)
# (tests/test_golden.py compares them exactly; commit the diff with the change)
golden: setup
	$(BIN)/python tests/test_golden.py

# JSON Schemas and the key tables of docs/edition-format.md, from layout/edition/model.py
schema: setup
	$(BIN)/python -m layout.edition.schema

setup: $(STAMP) fonts profiles bytecode

# compiles layout/ to bytecode up front: where PYTHONDONTWRITEBYTECODE is set (containers, CI)
# every render would otherwise recompile the engine, about 50 ms of a 0.3 s page preview;
# unchanged files are skipped, an edited one is recompiled on the next make
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q layout

# the pinned packages of pyproject.toml, not paiban itself: everything runs from this
# folder, and an editable install's import hook costs every Python start 10 ms (half of
# what a render handed to the warm server takes to start); an older one is removed
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))' > $(VENV)/requirements.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check -r $(VENV)/requirements.txt
	@$(BIN)/python -m pip uninstall -q -y paiban 2>/dev/null || true
	@rm -f $(VENV)/.installed-* && touch $@

# checks that the default fonts are installed and installs the missing Debian packages;
# nothing is converted (the PDF writer subsets the installed files with HarfBuzz)
fonts: $(STAMP)
	$(BIN)/python -m layout.fonts.setup

# the press's CMYK output profiles (newsprint, uncoated, coated), built once with
# ArgyllCMS from the standard characterisation data (Debian argyll, icc-profiles-free,
# installed when missing) and cached by their inputs: see layout/output/conditions.py
profiles: $(STAMP)
	$(BIN)/python -m layout.output.conditions

test-tools:
	@missing=""; for pair in $(TEST_TOOLS); do \
	  { command -v $${pair%%:*} || test -e $${pair%%:*}; } >/dev/null || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "test tools: installing$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null \
	    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null; }; \
	  else echo "test tools missing; install the Debian packages:$$missing" >&2; exit 1; fi; \
	fi

clean:
	rm -rf out .pytest_cache

distclean: clean
	rm -rf $(VENV) .cache
