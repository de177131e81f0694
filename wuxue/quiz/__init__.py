"""Quiz sets from the indexed corpus: knowledge atoms, items, quality gates, exports."""
