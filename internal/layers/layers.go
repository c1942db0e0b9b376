// Package layers holds the test that keeps sdlkit's packages importing one
// way: cmd → everything; policies → practices, vulnmgmt; vulnmgmt → the sbom
// model, purl and format only; sbom, signing and practices import no other
// domain package. It has no code of its own.
package layers
