"""One pure parser per seed document: text in, triples out."""
