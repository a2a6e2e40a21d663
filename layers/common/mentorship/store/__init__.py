"""Data access: pynamodb models of the single table and the queries and writes on it."""
