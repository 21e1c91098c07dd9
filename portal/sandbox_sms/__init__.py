"""A sandbox SMS provider of our own (and a stand-in push service), for dev, demo and tests: its own process,
real HTTP, fault switches, and a page listing what it "sent". Nothing leaves the machine."""
