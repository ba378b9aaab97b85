"""The password every story signs up with, in process and over HTTP."""

PASSWORD = "correct-horse-battery"
