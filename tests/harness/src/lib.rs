//! Shared helpers of wasmaot's end-to-end test runners.
