"""Laying out the pages: the model and its charts → reportlab flowables on page templates."""
