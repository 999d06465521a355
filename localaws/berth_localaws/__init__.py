"""Berth's local AWS: a pinned moto with the extensions that make it behave like AWS where Berth
depends on it. Each module patches one area and says which AWS behaviour it restores."""
