"""kam's Textual app. Talks to kam's services only; no SQL here."""
