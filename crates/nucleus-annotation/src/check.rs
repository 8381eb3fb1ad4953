//! Rules across files: annotations against the items they annotate and against each other.
