"""Models of Building permits (ขออนุญาตก่อสร้าง)."""
