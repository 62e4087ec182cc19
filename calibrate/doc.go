// Package calibrate estimates item parameters by marginal maximum likelihood
// with the EM algorithm of Bock & Aitkin (1981, Psychometrika 46, 443–459)
// on a sparse response matrix (irt.Responses): each examinee answers some of
// the items, and only the responses given are stored. Run's documentation
// walks through the algorithm, file by file.
//
// The engine takes plain Go values — an irt.Responses matrix and Options —
// and returns a Result; it never sees SQL. StartShards, ShardState.EStep
// and MStep run the same EM on data split into shards of examinees, the
// E-step on each shard wherever it lies (shard.go). Posterior estimates a
// group's ability distribution with the items held fixed, and Compare
// summarises a parameter recovery study.
package calibrate
