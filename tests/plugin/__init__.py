"""Tests of the installable plugin: packaging, metadata, i18n, Processing, desktop."""
