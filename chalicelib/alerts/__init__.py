"""The failure alert and the recovery notice, and the plain text they are written in."""
