"""Menu entries, to-do providers, term figures and assessment findings of this area
(imported from AppConfig.ready)."""
