"""Staff: who may sign in, in which role, and who a member of staff is when they act."""
