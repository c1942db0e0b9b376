// Command modzip packs a directory as a Go module zip, checked with the go
// command's own rules (golang.org/x/mod/zip), and lays it out as a GOPROXY
// directory, so that .ci/go-install.sh can run 'go install …@latest' of the
// module as a user's machine would, from a proxy.
//
// Usage: go run ./.ci/modzip DIR MODULE VERSION PROXYDIR
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: modzip DIR MODULE VERSION PROXYDIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], module.Version{Path: os.Args[2], Version: os.Args[3]}, os.Args[4]); err != nil {
		fmt.Fprintln(os.Stderr, "modzip:", err)
		os.Exit(1)
	}
}

func run(dir string, m module.Version, proxy string) error {
	esc, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	at := filepath.Join(proxy, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		return err
	}
	z, err := os.Create(filepath.Join(at, m.Version+".zip"))
	if err != nil {
		return err
	}
	if err := zip.CreateFromDir(z, m, dir); err != nil {
		z.Close()
		return fmt.Errorf("pack %s: %w", dir, err)
	}
	if err := z.Close(); err != nil {
		return err
	}
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	info := fmt.Sprintf(`{"Version":%q,"Time":%q}`+"\n", m.Version, time.Now().UTC().Format(time.RFC3339))
	for name, data := range map[string][]byte{m.Version + ".mod": mod, m.Version + ".info": []byte(info), "list": []byte(m.Version + "\n")} {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
