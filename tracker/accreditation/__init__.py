"""The accreditation life cycle: cycles, stages, tiered assessment, reviews, snapshots."""
