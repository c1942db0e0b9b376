// Package policies will evaluate release gates, written as policy files, over
// the evidence ledger and the scan results.
//
// Not yet implemented: it lands after the scanner and the ledger. It will
// import practices and vulnmgmt.
package policies
