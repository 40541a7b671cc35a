"""The plugin contract's types and hooks: the bottom of the import graph (imports nothing else of ganbench)."""
