# Every target creates the virtualenv and installs what it needs; `make demo` and `make test` work on a
# fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CORPORA ?=
MODEL := boilerplate/models/default.txt
DEMO := labeled/003_99a058014c38c513.txt

.PHONY: demo test train install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@echo "== $(DEMO): every line, content (+) or chrome (-), with the model's score"
	@$(VENV)/bin/boilerplate classify --format marked $(DEMO)
	@echo; echo "== extracted content"
	@$(VENV)/bin/boilerplate extract $(DEMO)

test: $(STAMP)
	$(PY) -m pytest

# make train CORPORA="../shared/corpora/zh-news-dev ../shared/corpora/en-articles-dev"
train: $(STAMP)
	$(VENV)/bin/boilerplate train --labeled labeled $(foreach c,$(CORPORA),--corpus $(c)) --out $(MODEL)

clean:
	rm -rf $(VENV) .pytest_cache .benchmarks
