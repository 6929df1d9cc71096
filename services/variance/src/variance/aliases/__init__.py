"""aliases"""
