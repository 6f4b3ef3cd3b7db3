"""The Unacceptable Actions Register: cases, tasks, approvals, assessments, appeals, reviews."""
