"""One Stop Service (ศูนย์บริการร่วม)."""
