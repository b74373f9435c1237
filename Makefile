# Leerstad: `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared
EVAL_OUT ?= runs/ci

.PHONY: install index run test lint format eval clean bench

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch from local disk first, or pip pulls a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/leerstad ingest --if-missing

run: index
	$(BIN)/leerstad serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The quality gate (see evals/README.md): the dev set, and the held-out set written apart from
# the tuning, each against the corpus plus the distractors in $(SHARED)/corpus-extra.
EVAL_ARGS = --extra-corpus $(SHARED)/corpus-extra --no-progress --export ragas
eval: install
	$(BIN)/leerstad eval --dataset evals/datasets/dev.jsonl --out $(EVAL_OUT)/dev $(EVAL_ARGS) \
		--fail-under fact_recall=0.85,right_doc=0.95,abstain_recall=0.85 \
		--fail-over false_abstentions=1,forbidden_rate=0
	$(BIN)/leerstad eval --dataset evals/datasets/holdout.jsonl --out $(EVAL_OUT)/holdout $(EVAL_ARGS) \
		--fail-under fact_recall=0.85,right_doc=0.95,abstain_recall=0.85 \
		--fail-over false_abstentions=1,forbidden_rate=0

test: install
	bash scripts/ensure-chromium.sh
	$(MAKE) lint
	$(BIN)/pytest -q
	$(MAKE) eval

clean:
	rm -rf $(VENV) data runs test-artifacts .pytest_cache .ruff_cache

# The performance benchmark (docs/benchmarks.md): 1k/10k/100k chunks beside the naive pipeline.
# BENCH_ARGS=--quick for the 1k corpus only.
BENCH_ARGS ?=
bench: install
	$(BIN)/python -m bench --out runs/bench/result.json $(BENCH_ARGS)
