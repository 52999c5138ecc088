"""Training and tuning the product's learned parts, on train and dev questions only (never on the sets bench/
reports): the reader (train_reader, then tune_reader for its bars and confidence), the query encoder
(train_queries), the reranker's weights (tune_rerank) and the fusion and rule settings (tune). Each is a script,
``python -m training.<name> --help``; they read their data through bench.datasets and score with bench.metrics,
and share only the helper modules here (layers, paths), never each other."""
