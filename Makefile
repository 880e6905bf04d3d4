# Every target creates the virtualenv and installs what it needs; `make demo` and `make test` work on a
# fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CORPORA ?=
PEERS ?=
# the sources of the shipped model: `make train CORPORA="$(ALL_CORPORA)"`
ALL_CORPORA := $(addprefix ../shared/corpora/,zh-news-dev en-articles-dev daniel-dev wcxb-dev dragnet-train)
MODEL := boilerplate/models/default.txt
DEMO := labeled/003_99a058014c38c513.txt
DEMO_HTML := docs/example.html

BENCH_STAMP := $(VENV)/.installed-bench
CORPUS_ARGS := $(foreach c,$(CORPORA),--corpus $(c))

.PHONY: demo test fuzz train bench bench-structure bench-speed bench-run install clean

$(STAMP): pyproject.toml setup.py boilerplate/_walk.pyx boilerplate/_columns.pyx boilerplate/_hints.pyx boilerplate/_head.pyx boilerplate/_layout.pyx boilerplate/_features.pyx boilerplate/_context.pyx boilerplate/_forest.pyx \
		boilerplate/_title.pyx boilerplate/_lexicon.pyx boilerplate/*.pxd
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench,peers]'
	touch $(BENCH_STAMP)

install: $(STAMP)

demo: $(STAMP)
	@echo "== $(DEMO_HTML) (a made-up page): every block, content (+) or chrome (-), score and role"
	@$(VENV)/bin/boilerplate classify --format marked $(DEMO_HTML)
	@echo; echo "== the same page: boilerplate extract --format markdown --links --url https://courier.example/news/sea-wall"
	@$(VENV)/bin/boilerplate extract --format markdown --links --url https://courier.example/news/sea-wall $(DEMO_HTML)
	@echo; echo "== $(DEMO) (a labeled Chinese text dump): boilerplate extract"
	@$(VENV)/bin/boilerplate extract $(DEMO)

test: $(STAMP)
	$(PY) -m ruff check boilerplate tests bench
	$(PY) -m mypy
	$(PY) -m pytest

# The property tests of tests/test_robustness.py with many more examples (a long run; see README).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/test_robustness.py -k "any_ or generated" -p no:cacheprovider

# make train CORPORA="$(ALL_CORPORA)": refuses to overwrite the shipped model without all its sources
train: $(STAMP)
	$(VENV)/bin/boilerplate train --labeled labeled $(CORPUS_ARGS) --out $(MODEL)

# make bench CORPORA="..." [PEERS="trafilatura readability-lxml ..."] (default: every installed peer)
bench: $(BENCH_STAMP)
	$(PY) -m bench.quality --labeled labeled $(CORPUS_ARGS) --out bench/reports $(if $(PEERS),--peers $(PEERS))
	$(PY) -m bench.structure $(CORPUS_ARGS) --out bench/reports
	$(PY) -m bench.metadata $(CORPUS_ARGS) --out bench/reports

# make bench-structure CORPORA="...": code, tables, lists and links in the Markdown, beside trafilatura's
bench-structure: $(BENCH_STAMP)
	$(PY) -m bench.structure $(CORPUS_ARGS) --out bench/reports

bench-speed: $(BENCH_STAMP)
	BOILERPLATE_CORPORA="$(CORPORA)" $(PY) -m pytest bench/test_speed.py -p no:cacheprovider \
	  --benchmark-json=bench/reports/speed.json --benchmark-columns=min,median,mean,ops \
	  --benchmark-sort=name -s

# make bench-run CORPORA="...": `boilerplate run` records/s on a 1,200-record WARC, 1 and 2 workers
bench-run: $(STAMP)
	$(PY) -m bench.run_speed --labeled labeled $(CORPUS_ARGS) --out bench/reports

clean:
	rm -rf $(VENV) .pytest_cache .benchmarks
