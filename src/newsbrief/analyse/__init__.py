"""Analysis of parsed articles: quotes and attributed statements, actors, dated events."""
