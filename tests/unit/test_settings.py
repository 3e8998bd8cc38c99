"""Configuration from the environment: defaults, and errors that say what to fix."""
import pytest

from chalicelib.core.errors import ConfigError
from chalicelib.core.settings import alert_settings, stream_settings

BASE = {"TABLE_NAME": "T", "DELIVERY_STREAM_NAME": "S"}


def test_defaults():
    s = stream_settings(BASE)
    assert (s.ticks_per_run, s.market_seed, s.max_catchup_minutes, s.model, s.correlation) == \
        (4, None, 60, "realistic", 0.0)


def test_values_are_read():
    s = stream_settings({**BASE, "TICKS_PER_RUN": "6", "MARKET_SEED": "42",
                         "MAX_CATCHUP_MINUTES": "390", "MARKET_MODEL": "Uniform",
                         "MARKET_CORRELATION": "0.5"})
    assert (s.ticks_per_run, s.market_seed, s.max_catchup_minutes, s.model, s.correlation) == \
        (6, 42, 390, "uniform", 0.5)


@pytest.mark.parametrize("env, named", [
    ({"DELIVERY_STREAM_NAME": "S"}, "TABLE_NAME is not set"),
    ({"TABLE_NAME": "T", "DELIVERY_STREAM_NAME": " "}, "DELIVERY_STREAM_NAME is not set"),
    ({**BASE, "TICKS_PER_RUN": "7"}, "TICKS_PER_RUN=7 does not divide a minute"),
    ({**BASE, "TICKS_PER_RUN": "0"}, "TICKS_PER_RUN='0'"),
    ({**BASE, "TICKS_PER_RUN": "four"}, "TICKS_PER_RUN='four'"),
    ({**BASE, "MARKET_SEED": "-1"}, "MARKET_SEED='-1'"),
    ({**BASE, "MAX_CATCHUP_MINUTES": "0"}, "MAX_CATCHUP_MINUTES='0'"),
    ({**BASE, "MARKET_MODEL": "brownian"}, "MARKET_MODEL='brownian' is unknown"),
    ({**BASE, "MARKET_CORRELATION": "2"}, "MARKET_CORRELATION='2'"),
    ({**BASE, "MARKET_CORRELATION": "lots"}, "MARKET_CORRELATION='lots'"),
])
def test_bad_settings_name_the_variable_and_the_fix(env, named):
    with pytest.raises(ConfigError, match=named) as caught:
        stream_settings(env)
    assert "fix it under the stage's environment_variables in .chalice/config.json" in \
        str(caught.value)


def test_alerts_need_a_topic_but_not_an_owner():
    with pytest.raises(ConfigError, match="TOPIC_ARN"):
        alert_settings({"OWNER_NAME": "A B"})
    assert alert_settings({"TOPIC_ARN": "arn", "OWNER_NAME": " "}).owner_name is None
