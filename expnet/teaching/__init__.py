"""The words about the numbers, NumPy only: the worked solution, what a student types and how
it is graded, the mistakes a hint can name, exercises and their sheets, and the classroom's
stepper. Each module is imported by its own name (``expnet.teaching.grading``); this package
re-exports nothing.
"""
