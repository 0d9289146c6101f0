"""The coordination board (issue 14): problems, tasks, questions and announcements between the
commune's steering committee, its officer and the village heads, each tied to its village (and
household), owned, dated, followed to the end and measured. See ``docs/coordination.md`` and
:mod:`ansinh.coordination.permissions` (who may do what)."""
