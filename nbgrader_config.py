# nbgrader configuration for the course. The repository root is an nbgrader course directory:
# source/ holds the instructor notebooks, release/ the student versions.
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "nn-from-scratch"

# Training cells take longer than nbgrader's 30 s default.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True

# The stub a student sees in place of each solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
