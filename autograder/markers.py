"""nbgrader's region markers, taken from nbgrader's own preprocessors (its defaults), so the course
and the grader never spell them differently from nbgrader."""
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

BEGIN_SOLUTION = f"### {ClearSolutions.begin_solution_delimeter.default_value}"
END_SOLUTION = f"### {ClearSolutions.end_solution_delimeter.default_value}"
BEGIN_HIDDEN_TESTS = f"### {ClearHiddenTests.begin_test_delimeter.default_value}"
END_HIDDEN_TESTS = f"### {ClearHiddenTests.end_test_delimeter.default_value}"


def hidden_test_lines(source: str) -> set[int]:
    """The numbers (from 1) of the lines of a cell's source inside its hidden-test regions,
    the marker lines themselves left out."""
    hidden, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() in (BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS):
            inside = line.strip() == BEGIN_HIDDEN_TESTS
        elif inside:
            hidden.add(number)
    return hidden
