"""Scholarly records going out: a member's academic CV (PDF, Word, Markdown) and a program's yearly
scholarly activity export for ACGME's ADS (CSV and a printable page), with the cohort dashboard's tiles."""
