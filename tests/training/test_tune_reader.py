import subprocess
import sys

import numpy as np
import pytest

from training.tune_reader import middle_bar, numbers


def test_numbers_parses_a_comma_separated_list():
    assert numbers("0,0.1,0.25") == [0.0, 0.1, 0.25]


def test_a_value_that_is_not_a_number_is_a_usage_error_not_a_traceback():
    run = subprocess.run(
        [sys.executable, "-m", "training.tune_reader", "--shares", "0.1,abc"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "expected comma-separated numbers" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("text", ["", "0.1,,0.2", "x"])
def test_numbers_rejects_empty_and_odd_parts(text):
    with pytest.raises(Exception, match="comma-separated numbers"):
        numbers(text)


def test_the_bar_is_the_middle_of_those_meeting_both_targets():
    # silent enough from -1 up, right enough (within 5 points of answering all: 0.50) up to +1
    def outcome(bar):
        return (0.72 if bar >= -1 else 0.60), (0.50 if bar == -np.inf else 0.46 if bar <= 1 else 0.40)

    assert middle_bar(outcome, "synthetic") == 0.0


def test_the_middle_moves_with_the_range_that_meets_both():
    def outcome(bar):
        return (0.72 if bar >= 0.5 else 0.60), (0.50 if bar == -np.inf else 0.46 if bar <= 2.5 else 0.40)

    assert middle_bar(outcome, "synthetic") == 1.5


def test_no_bar_meeting_both_targets_stops_with_why():
    def outcome(bar):  # silence comes only where the right answers are gone
        return (0.72 if bar >= 1 else 0.60), (0.50 if bar == -np.inf else 0.46 if bar < 1 else 0.30)

    with pytest.raises(SystemExit, match="no bar leaves 70%"):
        middle_bar(outcome, "synthetic")
