"""Test harness: real PostgreSQL and RabbitMQ for every test session."""
