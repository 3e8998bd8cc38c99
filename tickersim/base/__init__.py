"""The floor under local/, aws/ and data/: what all three wings need, importing none of them."""
