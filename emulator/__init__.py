"""Docker-free local emulation of the SAM HTTP API (a dev tool; deployed code never imports it)."""
