"""A consumer's own lists: favorites (followed places), recently viewed, favorite categories."""
