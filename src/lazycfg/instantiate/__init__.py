"""``instantiate``: the API, the planner and executor, and their errors."""
