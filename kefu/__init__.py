"""Kefu (客服): the operating system of a financial customer-service centre."""

__version__ = "0.1.0"
