"""The 18 SmartNumbers (KPIs) of a quarter."""
