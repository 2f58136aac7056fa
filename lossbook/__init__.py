"""lossbook."""
