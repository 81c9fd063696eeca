"""Models of Food premises (สถานที่จำหน่ายอาหาร)."""
