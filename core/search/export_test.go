package search

// IndexMappingForTest is the mapping a new bleve shard gets, for tests
// that build an index as an earlier version did.
var IndexMappingForTest = indexMapping
