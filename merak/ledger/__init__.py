"""The evidence ledger: an RFC 9162 Merkle log, signed tree heads, stores and the verifier."""
