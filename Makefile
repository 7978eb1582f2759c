# Two commands on a fresh machine with Python 3.11 and make: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
EMBEDDINGS_STAMP := $(VENV)/.installed-embeddings
# torch's CPU wheel for the embeddings extra; any other torch spec pulls multi-GB CUDA packages.
TORCH ?= torch==2.13.0
DEFAULT_DATA := data/support.yaml data/support_zh.yaml data/support_ja.yaml data/support_ko.yaml \
	data/support_es.yaml data/support_ar.yaml data/sentiment.jsonl data/dialogues.jsonl

.PHONY: demo test test-fast lint default-model benchmark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,service]'
	touch $(STAMP)

$(EMBEDDINGS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet '$(TORCH)'
	$(BIN)/python -m pip install --quiet -e '.[dev,service,spark,embeddings,multilingual]'
	touch $(EMBEDDINGS_STAMP)

demo: $(STAMP)
	@test -f models/default/manifest.json || $(BIN)/empathy-nlu train $(DEFAULT_DATA) --out models/default
	$(BIN)/empathy-nlu demo

test: $(EMBEDDINGS_STAMP)  # with the extra, so the accurate-tier tests run instead of skipping
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)  # the unit tests in seconds: no training on benchmark data, no subprocesses
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

default-model: $(STAMP)
	$(BIN)/empathy-nlu train $(DEFAULT_DATA) --out models/default

benchmark: $(STAMP)
	$(BIN)/python benchmarks/intent.py
	$(BIN)/python benchmarks/report.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
