"""Stage 5, verification: what pypdf reads back from a written PDF. A booklet that fails is not
delivered."""
