"""Code that acts on this machine: the embedded local cloud, Lambda emulation, the demo."""
