package generate

import "errors"

// errInvalidUTF8 is the cause of a FileError for a lockfile that is not
// UTF-8 text. Every lockfile format sdlkit reads is UTF-8; a decoder that
// accepted other bytes would put U+FFFD into names, and a component whose
// name was never in the file into the SBOM.
var errInvalidUTF8 = errors.New("invalid UTF-8")
