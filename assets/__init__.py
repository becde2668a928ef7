"""Files shipped with briefing (fonts and their licences); installed as ``briefing.assets``."""
