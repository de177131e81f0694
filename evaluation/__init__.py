"""Retrieval and answering evaluation: plain functions over plain data, plus the runners behind `wuxue eval`."""
