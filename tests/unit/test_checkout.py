"""The checkout's files a deploy writes come back as they were: all of them after a failed
deploy, the stage's own after teardown (other stages' changes kept)."""
import json

from hypothesis import given
from hypothesis import strategies as st

from tickersim.aws import checkout

STAGE_NAMES = st.sampled_from(["dev", "qa", "try1"])


def _project(tmp_path, stages):
    (tmp_path / ".chalice").mkdir(parents=True, exist_ok=True)
    config = {"version": "2.0", "app_name": "tickersim", "stages": stages}
    checkout.config_path(tmp_path).write_text(json.dumps(config, indent=2) + "\n")
    return tmp_path


def _policies(project, stage):
    return [project / ".chalice" / f"policy-{stage}-{f}.json" for f in ("streaming", "watch")]


def _snapshot(project):
    return {p.relative_to(project).as_posix(): p.read_text()
            for p in sorted(project.rglob("*")) if p.is_file() and "deployed" not in p.parts}


def _deploy_writes(project, stage):
    path = checkout.config_path(project)
    config = json.loads(path.read_text())
    config["stages"][stage] = {"lambda_functions": {"x": {"environment_variables": {"T": "1"}}}}
    path.write_text(json.dumps(config, indent=2) + "\n")
    for policy in _policies(project, stage):
        policy.write_text('{"Version": "2012-10-17"}\n')


@given(stage=STAGE_NAMES, committed=st.booleans())
def test_teardown_puts_back_what_was_there_before_the_first_deploy(tmp_path_factory, stage,
                                                                   committed):
    project = _project(tmp_path_factory.mktemp("p"), {"prod": {"api_gateway_stage": "api"}})
    if committed:                          # a stage the checkout already has, e.g. dev
        _deploy_writes(project, stage)
        _policies(project, stage)[0].write_text("committed\n")
    before = _snapshot(project)
    checkout.remember_first(project, stage, _policies(project, stage))
    _deploy_writes(project, stage)
    checkout.remember_first(project, stage, _policies(project, stage))   # a second deploy
    # Meanwhile another stage is deployed: its entry must survive this stage's teardown.
    config = json.loads(checkout.config_path(project).read_text())
    config["stages"]["prod"]["api_gateway_stage"] = "v2"
    checkout.config_path(project).write_text(json.dumps(config, indent=2) + "\n")

    changed = checkout.restore_first(project, stage)
    after = _snapshot(project)
    expected = dict(before)
    expected[".chalice/config.json"] = before[".chalice/config.json"].replace('"api"', '"v2"')
    assert after == expected
    assert changed and all(stage in line or "policy" in line for line in changed)
    assert checkout.restore_first(project, stage) == []          # kept state goes with it


def test_a_failed_deploys_files_go_back_byte_for_byte(tmp_path):
    project = _project(tmp_path, {"dev": {}})
    paths = [checkout.config_path(project), *_policies(project, "qa")]
    before = _snapshot(project)
    as_it_was = checkout.Files.read(paths)
    _deploy_writes(project, "qa")
    as_it_was.put_back()
    assert _snapshot(project) == before
