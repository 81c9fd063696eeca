"""The tenant registry: municipalities, their domains, and host → town routing."""
