# The README's two commands are `make demo` and `make test`; each bootstraps .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: demo test bench lint package clean screenshot

$(READY): requirements-dev.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-compile --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

demo: $(READY)
	$(BIN)/tickersim demo $(ARGS)

test: $(READY)
	$(BIN)/python -m pytest

bench: $(READY)
	$(BIN)/python -m bench

# The README's picture of the live chart: a demo on free ports, in headless Chromium.
screenshot: $(READY)
	$(BIN)/python -m tickersim.local.browser docs/screenshot.png

clean:
	rm -rf $(VENV) $(LINT_VENV) .pytest_cache .hypothesis build *.egg-info

# One CloudFormation template for the whole system (for pipelines): build/package/sam.json.
STAGE ?= dev
package: $(READY)
	$(BIN)/python -m tickersim.aws.package --stage $(STAGE) --out build/package

# Linters live in their own venv: checkov's pins clash with moto's.
LINT_VENV := .venv-lint
LINT_READY := $(LINT_VENV)/.ready

$(LINT_READY): requirements-lint.txt
	$(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-lint.txt
	touch $@

# parliament reads stdin when it is not a terminal: </dev/null keeps it on the directory.
lint: $(LINT_READY) package
	$(LINT_VENV)/bin/cfn-lint infra/data.yaml build/package/sam.json
	$(LINT_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation \
		-f infra/data.yaml -f build/package/sam.json
	$(BIN)/python -m tickersim.aws.lint build/policies
	$(LINT_VENV)/bin/parliament --directory build/policies --include_policy_extension json \
		</dev/null
