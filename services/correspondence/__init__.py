"""e-Saraban (สารบรรณ)."""
