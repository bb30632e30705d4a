"""The live pipeline: the stream bus, the ingestion engine and the ML worker."""
