"""The Kafka protocol codec generator behind Tools/generate-protocol.py."""
