"""Models of e-Saraban (สารบรรณ)."""
