"""peerkg: the Peer Support Knowledge Graph."""

__version__ = "0.1.0"
