"""Infusion-chair scheduler for ado-trastuzumab emtansine (KADCYLA)."""

__version__ = "0.1.0"
