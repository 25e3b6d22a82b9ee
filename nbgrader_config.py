# nbgrader configuration for the course. The repository root is an nbgrader course directory:
# source/ holds the instructor notebooks, release/ the student versions.
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "nn-from-scratch"

# Training cells take longer than nbgrader's 30 s default.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True

# The stub a student sees in place of each solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Deadlines. The grader reads each assignment's due date from here (`grade --due` overrides it
# for one run); a submission's time is nbgrader's timestamp.txt beside it. A date without a UTC
# offset is UTC. Example:
#   c.Deadlines.due = {"01_linear_estimator": "2027-02-01 23:59 +01:00"}
c.Deadlines.due = {}

# The late policy nbgrader applies while it autogrades (autograder/kernel/late.py): 10% of the
# score off for each started day late, never more than the whole score.
c.AssignLatePenalties.plugin_class = "autograder.kernel.late.PerDayPenalty"
c.PerDayPenalty.fraction_per_day = 0.1
c.PerDayPenalty.max_fraction = 1.0
c.PerDayPenalty.grace_minutes = 0
