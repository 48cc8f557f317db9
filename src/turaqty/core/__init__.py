"""The pure, vectorised core: arrays in, arrays out; no files, languages or plots."""
