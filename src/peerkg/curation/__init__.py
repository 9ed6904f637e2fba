"""The curator's path: validate a submission in the context of the graph, commit it, revert it."""
