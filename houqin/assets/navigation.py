"""Menu entries and to-do providers of this area (imported from AppConfig.ready)."""
