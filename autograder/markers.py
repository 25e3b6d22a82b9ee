"""nbgrader's region markers, taken from nbgrader's own preprocessors (its defaults), so the course
and the grader never spell them differently from nbgrader."""
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

BEGIN_SOLUTION = f"### {ClearSolutions.begin_solution_delimeter.default_value}"
END_SOLUTION = f"### {ClearSolutions.end_solution_delimeter.default_value}"
BEGIN_HIDDEN_TESTS = f"### {ClearHiddenTests.begin_test_delimeter.default_value}"
END_HIDDEN_TESTS = f"### {ClearHiddenTests.end_test_delimeter.default_value}"
