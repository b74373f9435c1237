# Leerstad: `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared
EVAL_OUT ?= runs/ci

.PHONY: install index run test lint format eval fit clean bench

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

# The quality gate (see evals/README.md), each set against the corpus plus the distractors in
# $(SHARED)/corpus-extra. dev, train and train-b are what the answer model is fitted on; holdout,
# blind-a, blind-c, blind-d, blind-e, blind-f, blind-g and blind were written apart from the tuning
# (blind-a, blind-c and blind-e were looked at while tuning; blind-d, blind-f, blind-g and blind
# were only scored). dev and
# holdout are gated at the core targets. The blind sets are gated just
# below their measured level, so a regression fails CI; their targets (fact_recall 0.85,
# right_doc 0.95, abstain_f1 0.85) are not all met yet: see the README's quality table.
# false_abstentions: at most 5% of each set's answerable questions.
EVAL_ARGS = --extra-corpus $(SHARED)/corpus-extra --no-progress --export ragas
CORE = --fail-under fact_recall=0.85,right_doc=0.95,abstain_recall=0.85
EVAL_SETS = dev holdout blind-a blind-c blind-d blind-e blind-f blind-g blind
GATE_dev = $(CORE) --fail-over false_abstentions=4,forbidden_rate=0
GATE_holdout = $(CORE) --fail-over false_abstentions=1,forbidden_rate=0
GATE_blind-a = --fail-under fact_recall=0.82,right_doc=0.92,abstain_f1=0.8 \
	--fail-over false_abstentions=2,forbidden_rate=0
GATE_blind-c = --fail-under fact_recall=0.80,right_doc=0.90,abstain_f1=0.62 \
	--fail-over false_abstentions=4,forbidden_rate=0
GATE_blind-d = --fail-under fact_recall=0.82,right_doc=0.91,abstain_f1=0.86 \
	--fail-over false_abstentions=3,forbidden_rate=0
GATE_blind-e = --fail-under fact_recall=0.67,right_doc=0.80,abstain_f1=0.64 \
	--fail-over false_abstentions=4,forbidden_rate=0
GATE_blind-f = --fail-under fact_recall=0.70,right_doc=0.80,abstain_f1=0.60 \
	--fail-over false_abstentions=6,forbidden_rate=0
GATE_blind-g = --fail-under fact_recall=0.69,right_doc=0.86,abstain_f1=0.70 \
	--fail-over false_abstentions=3,forbidden_rate=0
GATE_blind = --baseline naive,naive-use --fail-under fact_recall=0.76,right_doc=0.88,abstain_f1=0.76 \
	--fail-over false_abstentions=2,forbidden_rate=0
# One command per set, in order; the first that fails its gate stops the rest.
eval: install
	$(foreach s,$(EVAL_SETS),$(BIN)/leerstad eval --dataset evals/datasets/$(s).jsonl \
		--out $(EVAL_OUT)/$(s) $(EVAL_ARGS) $(GATE_$(s)) &&) true

# Refit the answer model (assistant/data/answer_model.json) on the dev sets, 5-fold CV.
fit: install
	$(BIN)/leerstad eval fit --dataset evals/datasets/dev.jsonl \
		--dataset evals/datasets/train.jsonl --dataset evals/datasets/train-b.jsonl \
		--extra-corpus $(SHARED)/corpus-extra

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
