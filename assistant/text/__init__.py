"""Text analysis: the Dutch analyzer, sentences, the domain vocabulary and question concepts."""
