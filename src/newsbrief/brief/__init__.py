"""The brief: what goes into each section (compose) and how it is written out (render)."""
