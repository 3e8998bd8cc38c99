# The README's two commands are `make demo` and `make test`; each bootstraps .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

# Venvs are built from their locks by tools/bootstrap.py: with uv (pinned there, installed into
# .venv-tools/ on first use) or, where uv cannot be had, pip. `make test UV=` forces pip;
# `UV=/path/to/uv` uses that uv.
UV ?= pinned
BOOTSTRAP = $(PYTHON) tools/bootstrap.py --uv "$(UV)"

.PHONY: demo test bench first-value lint lock package clean screenshot

$(READY): requirements-dev.txt requirements-dev.lock pyproject.toml tools/bootstrap.py
	$(BOOTSTRAP) venv $(VENV) requirements-dev.lock --requirements requirements-dev.txt --editable

# The locks are generated: after editing requirements-dev.txt or requirements-lint.txt, run
# `make lock`. uv keeps every pin that still fits; `make lock LOCK_ARGS=--upgrade` takes the
# newest releases instead. --universal: one lock for every platform and Python from 3.11.5 (policy-sentry's soupsieve needs it).
lock:
	uv="$$($(BOOTSTRAP) uv)" && for name in dev lint; do \
		$$uv pip compile --quiet --universal --python-version 3.11.5 \
			--custom-compile-command "make lock" $(LOCK_ARGS) \
			requirements-$$name.txt -o requirements-$$name.lock || exit; \
	done

demo: $(READY)
	$(BIN)/tickersim demo $(ARGS)

# The suite as pytest processes side by side (tools/test_shares.py); ARGS go to each of them.
test: $(READY)
	$(BIN)/python tools/test_shares.py $(ARGS)

bench: $(READY)
	$(BIN)/python -m bench

# A newcomer's first minute: a fresh clone of HEAD, no package cache, `make demo` until five
# live prices; with uv and with the pip fallback. Needs no venv.
first-value:
	$(PYTHON) -m bench.first_value $(ARGS)

# A seeded day of faults against the real handlers, judged by an invariant checker.
.PHONY: chaos
chaos: $(READY)
	$(BIN)/python -m chaos $(ARGS)

# The README's picture of the live chart: a demo on free ports, in headless Chromium.
screenshot: $(READY)
	$(BIN)/python -m tickersim.local.browser docs/screenshot.png

clean:
	rm -rf $(VENV) $(LINT_VENV) .venv-tools .pytest_cache .hypothesis build *.egg-info

# One CloudFormation template for the whole system (for pipelines): build/package/sam.json.
STAGE ?= dev
package: $(READY)
	$(BIN)/python -m tickersim.aws.package --stage $(STAGE) --out build/package

# Linters live in their own venv: checkov's pins clash with moto's.
LINT_VENV := .venv-lint
LINT_READY := $(LINT_VENV)/.ready

$(LINT_READY): requirements-lint.txt requirements-lint.lock tools/bootstrap.py
	$(BOOTSTRAP) venv $(LINT_VENV) requirements-lint.lock --requirements requirements-lint.txt

# ruff and lint-imports: the Python (rules and contracts in pyproject.toml). parliament reads
# stdin when it is not a terminal: </dev/null keeps it on the directory.
lint: $(LINT_READY) package
	$(LINT_VENV)/bin/ruff check .
	$(LINT_VENV)/bin/lint-imports
	$(LINT_VENV)/bin/cfn-lint infra/data.yaml build/package/sam.json
	$(LINT_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation \
		-f infra/data.yaml -f build/package/sam.json
	$(BIN)/python -m tickersim.aws.lint build/policies
	$(LINT_VENV)/bin/parliament --directory build/policies --include_policy_extension json \
		</dev/null
