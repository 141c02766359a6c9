"""Tests that drive JupyterLab in a headless Chromium (see conftest.py)."""
