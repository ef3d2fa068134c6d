//! Hash tables for the engine's lookups, with FxHash (rustc's hasher).
//!
//! The keys are domains and addresses from the user's own compose window and
//! the admin's policy, so resistance to hash flooding buys nothing, while the
//! default SipHash made hashing the largest cost of evaluating a large list.

/// A hash map with FxHash.
pub type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// A hash set with FxHash.
pub type FastSet<K> = rustc_hash::FxHashSet<K>;
