"""The builds kept as reference PDFs in tests/reference/ (see tools/update_reference.py)."""

EPOCH = "1679270400"  # the fixed creation date of every reference build

CASES = {  # reference name → (data file, paper)
    "sample-small-a4": ("tests/data/sample-small.yaml", "a4"),
    "markup-a5": ("tests/data/markup.yaml", "a5"),
}
