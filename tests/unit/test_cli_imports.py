"""What `tickersim demo` imports before it starts: the chosen subcommand's module only, and no
heavy tooling (query engines, calendars, browser drivers, policy databases) that the demo does
not use. A fresh interpreter each, since this test process has imported everything."""
import json
import subprocess
import sys

import pytest

from tickersim import cli

# Top-level names of tooling the demo does not need; some may not be installed at all, which
# the check cannot tell from not imported (it reads sys.modules).
HEAVY = ("duckdb", "pyarrow", "pandas", "numpy", "exchange_calendars", "sqlglot", "selenium",
         "policy_sentry", "checkov", "cfn_lint")


def imported_by(argv):
    """Modules in sys.modules after the CLI has parsed argv (and printed its help or error)."""
    code = ("import json, sys\nfrom tickersim import cli\ntry:\n"
            f"    cli.build_parser({argv!r}).parse_known_args({argv!r})\n"
            "except SystemExit:\n    pass\nprint(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_the_demo_imports_its_own_module_and_no_heavy_tooling():
    modules = imported_by(["demo", "--runs", "1"])
    assert "tickersim.local.demo" in modules
    assert "rich" in modules                   # the check sees what the demo does import
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []
    # Other subcommands' modules stay out, unless the demo itself uses them.
    assert {"tickersim.data.browse", "tickersim.aws.teardown"} & modules == set()


@pytest.mark.parametrize("argv", [[], ["--help"], ["nosuch"]])
def test_no_subcommand_imports_no_subcommand_module(argv):
    modules = imported_by(argv)
    assert sorted(m for m, _ in cli.COMMANDS.values() if m in modules) == []


def test_the_chosen_subcommand_gets_its_arguments_and_handler():
    args = cli.build_parser(["demo"]).parse_args(["demo", "--runs", "2"])
    assert (args.runs, args.handler) == (2, sys.modules["tickersim.local.demo"].main)
