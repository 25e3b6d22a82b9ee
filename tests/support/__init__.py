"""Code shared by test files (import it as ``support.<module>``; test files never import each other)."""
