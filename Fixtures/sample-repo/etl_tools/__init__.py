"""ETL helpers package."""
