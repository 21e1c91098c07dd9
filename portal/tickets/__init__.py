"""Requests (заявки) to the dispatch service: filing, deadlines, assignment, conversation, rating, reports."""
