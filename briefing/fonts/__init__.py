"""Stage 2, the fonts: where the faces are found and registered, what they can draw and how wide,
and how each face is embedded once in the PDF."""
