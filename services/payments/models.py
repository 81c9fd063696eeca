"""Models of Fee payment (ชำระค่าธรรมเนียม)."""
