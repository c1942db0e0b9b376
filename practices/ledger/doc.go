// Package ledger is sdlkit's evidence ledger for IEC 62443-4-1: a git branch
// (by default the orphan branch "sdlkit-ledger" in the product's own
// repository, or any repository, bare or not) that holds one JSON record per
// evidence event and the evidence files themselves, stored content-addressed.
//
// Layout of the branch's tree:
//
//	ledger.json                       the ledger: format, product, creation
//	scope.json                        the SM-5 scope: out-of-scope requirements with rationale
//	records/<id[:2]>/<id>.json        one record per evidence event (see Record)
//	evidence/sha256/<hex[:2]>/<hex>   evidence files, named by their SHA-256
//	checkpoints/<seq>.sigstore.json   signed checkpoints of the head (see Checkpoint)
//
// Every commit after the first only adds files: a record with its evidence,
// a review, or a checkpoint. Verify walks the history and fails on anything
// else (an edited or deleted record, a changed evidence blob, a record naming
// a missing blob), and, given a checkpoint an assessor kept, on a history
// reset to an older state or reordered.
//
// All git work goes through go-git; no git binary is needed. Five things are
// written by hand, and why: the branch's ref is updated with git's own lock
// protocol (create "<ref>.lock" exclusively, with the new value, and rename
// it over the ref), because go-git's SetReference truncates and rewrites the
// ref file in place, so a process killed between the two leaves an empty
// ref; and trees are diffed by a small walk that descends only into changed
// subtrees and compares entries as bytes (tree.go, treeobject.go), because
// go-git's DiffTree reads and decodes whole trees and verification diffs
// every commit; and objects are read by the ledger itself (blob.go,
// packread.go), evidence as a stream, checking each object's git hash,
// because go-git loads an object whole, never checks its hash against its
// name, inflates at half the speed of klauspost's zlib and resolves a
// pack's deltas one goroutine at a time and without bounding their chains
// (the ledger finds packed objects through go-git's index decoder and
// applies deltas with go-git's PatchDelta); and every object the ledger
// writes is a loose object of deflate's stored blocks (loosewrite.go),
// because go-git's writer has no compression level and verifying a ledger
// was bound by inflating git's default compression, not by hashing:
// stored, evidence takes its own size on disk (JSON 3-4 times its deflated
// size) until git gc or a fetch packs it, and verifying 10,000 records with
// 1 GiB of evidence takes 3 s on 2 cores against sha256sum's 4.8 s for the
// evidence alone and git fsck's 10.4 s; and the caches in the git
// directory (the index of records status reads, the last clean
// verification) are a small versioned binary form (cachefile.go: magic,
// version, varints, a CRC-32C), because encoding/gob took four times as
// long to read the index of 150,000 records (116 ms against 28, in one
// run), which every status pays, and because a file cut short or corrupt
// must read as no cache, not as part of one.
//
// Many pipelines write one ledger: Writer.Sync fetches the remote's copy
// of the branch, replays the local records onto it (records are separate
// files, so they never conflict), and pushes without force, retrying with
// back-off when another writer pushed first; Clone joins an existing
// ledger. Export writes a release's audit package, which VerifyExport
// checks without the repository.
//
// The package knows nothing of SBOMs, scans or signatures: callers pass
// files and facts, and a Sealer/Unsealer pair for checkpoints.
package ledger
