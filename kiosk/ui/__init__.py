"""The Kivy touchscreen UI. The only package that imports Kivy.

Importing any part of it first sets Kivy's environment: Kivy reads it on its own first import.
"""

import os

os.environ.setdefault("KIVY_NO_ARGS", "1")  # our own command line, not Kivy's
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # Kivy logs through our logging setup
os.environ.setdefault("KIVY_NO_FILELOG", "1")
