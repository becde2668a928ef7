"""Stage 1, the data: a YAML file → a validated, typed model, and everything that reads or writes
data files (the JSON Schema, next year's scaffold, last year's review). Nothing here knows about
fonts, pages or PDF."""
