"""Semantic matching: embed questions and profiles, search FAISS, rank available mentors."""
