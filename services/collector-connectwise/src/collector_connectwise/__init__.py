"""Collects ConnectWise Manage reactive-ticket figures per month for the QBR."""
