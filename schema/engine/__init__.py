"""How documents are checked and answered: limits and budgets, the edge rules, the planner and
the executor.
"""
