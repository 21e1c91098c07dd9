"""Owners' general meetings (общее собрание собственников, ОСС): notice, register, ballots, moderation, protocol."""
