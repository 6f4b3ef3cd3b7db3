"""Decide: policy profiles, the policy engine, the messages it writes, and replays."""
