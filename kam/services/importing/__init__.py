"""Importing the customer base, sales lines and cost-to-serve lines from CSV or XLSX."""
