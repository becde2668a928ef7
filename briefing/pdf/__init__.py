"""Stage 4, the finished file: the raw PDF → PDF/A-2b with each face embedded once (finish), and
the print shop's saddle-stitch imposition (impose)."""
