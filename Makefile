# The two commands: `make demo` and `make test`. Both set everything up first.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
export PREFECT_HOME ?= $(CURDIR)/var/prefect
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1

BENCH_LOAD_COUNT ?= 10000
# Each benchmark keeps here the figures issue 16's targets judge; bench/figures.py sums them up.
export BENCH_FIGURES ?= $(CURDIR)/var/bench-figures.jsonl

.PHONY: demo test lint bench ui serve install clean chromium dovecot letters dovecot

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/complaints demo

# The browser test drives Debian's Chromium (Playwright cannot download its own here).
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "chromium not installed: the browser test will be skipped"; }

# The IMAP tests read a real mailbox: Debian's Dovecot, started by each test on 127.0.0.1 with a
# configuration of its own (where systemd runs, Debian also starts its own Dovecot: unused).
dovecot:
	@test -x /usr/sbin/dovecot || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null) || echo "dovecot not installed: the IMAP tests will be skipped"; }

# The letters' tests read the PDFs' text (poppler's pdftotext); WeasyPrint subsets fonts with
# HarfBuzz's subset library.
letters:
	@{ command -v pdftotext >/dev/null && ldconfig -p | grep -q libharfbuzz-subset; } || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils libharfbuzz-subset0 >/dev/null) || echo "poppler-utils not installed: the letters' text will not be read"; }

test: $(STAMP) chromium dovecot letters
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src flows tasks tests bench migrations
	$(BIN)/ruff format --check src flows tasks tests bench
	$(BIN)/mypy src flows tasks

bench: $(STAMP)   # ~100 min (throughput: 3 runs of each size) (the first time, +15 min to fill the 100k and 1M stores); every figure also goes to bench/RESULTS.md (PostgreSQL: never beside .ci/run)
	mkdir -p var && rm -f $(BENCH_FIGURES)
	{ $(BIN)/python bench/machine.py; \
	  $(BIN)/python bench/run.py; \
	  $(BIN)/python bench/where_cpu_goes.py --count 1000; \
	  $(BIN)/python bench/throughput.py --count 1000 --stored 0,100000,1000000; \
	  for rate in 5 20; do $(BIN)/python bench/load.py --rate $$rate --count $$((rate * 60)); done; \
	  $(BIN)/python bench/load.py --rate 50 --count 3000 --clients 50; \
	  for stored in 100000 1000000; do $(BIN)/python bench/load.py --rate 20 --count 1200 --stored $$stored; done; \
	  $(BIN)/python bench/load.py --rate 50 --count 1500 --clients 50 --stored 1000000; \
	  $(BIN)/python bench/load.py --count $(BENCH_LOAD_COUNT); \
	  $(BIN)/python bench/sweep.py; \
	  $(BIN)/python bench/scale.py --count 1000 --workers 1,2,4; \
	  $(BIN)/python bench/report.py; \
	  $(BIN)/python bench/workspace.py; \
	  $(BIN)/python bench/inbound.py; \
	  $(BIN)/python bench/figures.py; \
	  echo '```'; } 2>&1 | tee bench/RESULTS.md

ui: $(STAMP)
	$(BIN)/prefect server start --host 127.0.0.1 --port $${COMPLAINTS_PREFECT_PORT:-4200}

serve: $(STAMP)
	$(BIN)/complaints serve

clean:
	rm -rf var $(VENV)
