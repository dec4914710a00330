"""Reference data that enrichment and alerting both use: the PLOVER/ACLED/CAMEO taxonomy and the
gazetteer (places, countries, demonyms), with the files they are built from."""
