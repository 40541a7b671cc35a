"""Small shared tools with no ganbench dependencies: atomic writes, fault injection, bounded YAML, progress lines."""
