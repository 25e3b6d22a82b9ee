"""Deadlines without nbgrader: the late policy's arithmetic, due dates from the course config,
and submission times from nbgrader's timestamp.txt."""
import pytest

from autograder.grading.deadlines import checked_due, configured_due, submission_time
from autograder.grading.report import late_by
from autograder.kernel.late import PerDayPenalty, penalty_for
from autograder.paths import UsageError

DAY = 86400


@pytest.mark.parametrize("seconds_late, expected", [
    (0, 0.0), (-5, 0.0), (1, 1.0), (DAY, 1.0), (DAY + 1, 2.0), (3.5 * DAY, 4.0), (30 * DAY, 5.0)])
def test_a_tenth_per_started_day_capped_at_half(seconds_late, expected):
    assert penalty_for(10.0, seconds_late, 0.1, 0.5, 0) == pytest.approx(expected)


def test_grace_minutes_count_as_on_time_and_a_zero_score_loses_nothing():
    assert penalty_for(10.0, 9 * 60, 0.1, 1.0, grace_minutes=10) == 0.0
    assert penalty_for(10.0, 11 * 60, 0.1, 1.0, grace_minutes=10) == pytest.approx(1.0)
    assert penalty_for(0.0, 5 * DAY, 0.1, 1.0, 0) == 0.0


def test_the_plugin_reads_its_rates_from_config():
    from traitlets.config import Config

    config = Config()
    config.PerDayPenalty.fraction_per_day = 0.25
    config.PerDayPenalty.max_fraction = 1.0
    plugin = PerDayPenalty(config=config)
    assert plugin.late_submission_penalty("s", 8.0, 2 * DAY) == pytest.approx(4.0)


def test_due_dates_come_from_the_course_config_in_utc(tmp_path):
    config = tmp_path / "nbgrader_config.py"
    config.write_text('c = get_config()\nc.Deadlines.due = {"01_linear_estimator": "2027-02-01 23:59 +01:00"}\n')
    assert configured_due("01_linear_estimator", config) == "2027-02-01T22:59:00"
    assert configured_due("02_two_layer_linear", config) is None


def test_the_course_config_sets_no_due_date_and_the_per_day_policy():
    from autograder.paths import course_root
    from traitlets.config import PyFileConfigLoader

    path = course_root() / "nbgrader_config.py"
    config = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    assert configured_due("01_linear_estimator") is None
    assert config.AssignLatePenalties.plugin_class == "autograder.kernel.late.PerDayPenalty"


def test_a_bad_due_date_is_a_usage_error_that_shows_the_form(tmp_path):
    with pytest.raises(UsageError, match="2027-02-01 23:59"):
        checked_due("next friday-ish")
    config = tmp_path / "nbgrader_config.py"
    config.write_text('c = get_config()\nc.Deadlines.due = {"01_linear_estimator": "soon"}\n')
    with pytest.raises(UsageError, match="c.Deadlines.due"):
        configured_due("01_linear_estimator", config)


def test_submission_time_from_timestamp_txt(tmp_path):
    notebook = tmp_path / "01_linear_estimator.ipynb"
    assert submission_time(notebook) == ("", "")
    (tmp_path / "timestamp.txt").write_text("2027-02-02 10:00:00.123456 UTC\n")
    assert submission_time(notebook) == ("2027-02-02T10:00:00.123456", "")
    (tmp_path / "timestamp.txt").write_text("<script>alert(1)</script>" * 100)
    stamp, note = submission_time(notebook)
    assert stamp == "" and "not a time" in note and "on time" in note and len(note) < 300


@pytest.mark.parametrize("seconds, text", [(0, "0 s"), (45, "45 s"), (3 * 3600 + 1200, "3 h 20 min"),
                                           (2 * DAY + 3 * 3600 + 5, "2 d 3 h"), (DAY, "1 d")])
def test_lateness_reads_in_two_units(seconds, text):
    assert late_by(seconds) == text
