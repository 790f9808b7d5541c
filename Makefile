# pledgebot — the two fresh-machine commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint soak bench messages clean

# A venv with the runtime dependencies; rebuilt when pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The same plus the test and lint tools and the PostgreSQL driver.
$(BIN)/.installed-dev: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	touch $(BIN)/.installed $@

config.toml:
	cp config.example.toml config.toml
	@echo "created config.toml from config.example.toml: edit it for your letter"

run: $(BIN)/.installed config.toml
	$(BIN)/pledgebot run

# Tests spend about half their time waiting (subprocesses starting, sockets, fsync): one worker
# per core (pytest-xdist) overlaps the waits. Run one file alone with `.venv/bin/pytest FILE`.
test: $(BIN)/.installed-dev
	$(BIN)/python -m pytest --numprocesses=auto --maxprocesses=4
	$(BIN)/lint-imports

# The long versions of the reliability tests: 20,000 hostile examples per platform (CI runs
# 2,000), 5,000 per property test, 50 kill -9 rounds per crash test (`make test` runs 5) and
# the three-process PostgreSQL test at full size (1,000 signers each; `make test` runs 300).
soak: $(BIN)/.installed-dev
	HYPOTHESIS_PROFILE=soak CRASH_ROUNDS=50 SCALE_SIGNERS=1000 $(BIN)/python -m pytest \
		-p no:cacheprovider tests/adapters/console/test_hostile_input.py \
		tests/adapters/discord/test_hostile_input.py tests/adapters/discord/test_safety.py \
		tests/adapters/telegram/test_hostile_input.py tests/core tests/reliability tests/scale

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The benchmarks of benchmarks/RESULTS.md, each printing its table and its targets. PG names the PostgreSQL
# server for the second sign_burst run (a fresh schema is made and dropped); PG= skips it.
PG ?= postgresql://postgres@127.0.0.1:5432/test

bench: $(BIN)/.installed-dev
	$(BIN)/python benchmarks/sign_burst.py
	$(if $(PG),$(BIN)/python benchmarks/sign_burst.py --store '$(PG)')
	$(BIN)/python benchmarks/discord_burst.py
	$(BIN)/python benchmarks/telegram_burst.py
	$(BIN)/python benchmarks/scale.py
	-$(BIN)/python benchmarks/web_burst.py  # needs wrk; without it, says so and the rest go on
	$(BIN)/python benchmarks/startup.py

# Re-extract every translatable text into the template, merge it into each language's .po file
# (new texts appear untranslated, changed ones fuzzy: the catalogue tests fail until a translator
# has seen them), and compile the .mo files the bot reads. See docs/development.md.
LOCALES  := bot/locales
KEYWORDS := -k t -k n:1,2 -k p:1c,2 -k msg -k nmsg:1,2 -k pmsg:1c,2
messages: $(BIN)/.installed-dev
	$(BIN)/pybabel -q extract -F $(LOCALES)/babel.cfg --no-default-keywords $(KEYWORDS) \
		--add-location=file --sort-by-file --project=pledgebot --copyright-holder="pledgebot contributors" \
		-o $(LOCALES)/pledgebot.pot .
	$(BIN)/pybabel -q update -i $(LOCALES)/pledgebot.pot -d $(LOCALES) -D pledgebot \
		--ignore-obsolete --ignore-pot-creation-date
	$(BIN)/pybabel -q compile -d $(LOCALES) -D pledgebot --statistics

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
