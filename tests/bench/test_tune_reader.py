import subprocess
import sys

import pytest

from bench.tune_reader import numbers


def test_numbers_parses_a_comma_separated_list():
    assert numbers("0,0.1,0.25") == [0.0, 0.1, 0.25]


def test_a_value_that_is_not_a_number_is_a_usage_error_not_a_traceback():
    run = subprocess.run(
        [sys.executable, "-m", "bench.tune_reader", "--shares", "0.1,abc"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 2
    assert "expected comma-separated numbers" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("text", ["", "0.1,,0.2", "x"])
def test_numbers_rejects_empty_and_odd_parts(text):
    with pytest.raises(Exception, match="comma-separated numbers"):
        numbers(text)
