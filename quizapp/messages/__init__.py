"""Every sentence quizapp shows people about a problem or a decision, by audience: ``participants`` (registration,
sign-in, the attempt's refusals), ``contests`` (the contest description), ``files`` (uploaded banks and unit trees),
``judging`` (results decisions, regrading, ranking reasons, the audit log). Vietnamese msgids; the English catalog
is complete (tests/test_translations.py). Codes and keys stay in the services; only these sentences reach a page."""
