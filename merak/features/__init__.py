"""The 132 expert risk features: the catalogue, its kernel, profiles, online computation."""
