"""Demo data that tells the story the product was born from."""
