"""Public campaign pages."""
