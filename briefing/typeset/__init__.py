"""Stage 3, typesetting: the model and its charts → reportlab flowables on page templates, written
as a raw PDF. Line breaking, paragraphs, charts, tables and the page furniture live here."""
