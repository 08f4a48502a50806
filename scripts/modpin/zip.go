package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
)

// A file of a module, by its slash path relative to the module root.
type file struct {
	name string
	data []byte
}

// maxZip bounds a module zip as the go command does (500 MiB); a module of
// this repository is a few megabytes.
const maxZip = 500 << 20

// moduleFiles keeps the files the go command puts in a module zip
// (https://go.dev/ref/mod#zip-files): it drops files of nested modules
// (a directory below the root with its own go.mod), of vendor directories,
// and of version-control directories. The result is sorted by name.
func moduleFiles(all []file) []file {
	var nested []string
	for _, f := range all {
		if dir := path.Dir(f.name); path.Base(f.name) == "go.mod" && dir != "." {
			nested = append(nested, dir+"/")
		}
	}
	var out []file
	for _, f := range all {
		if keep(f.name, nested) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b file) int { return strings.Compare(a.name, b.name) })
	return out
}

func keep(name string, nested []string) bool {
	for _, d := range nested {
		if strings.HasPrefix(name, d) {
			return false
		}
	}
	for _, part := range strings.Split(name, "/") {
		switch part {
		case "vendor", ".git", ".hg", ".svn", ".bzr", "":
			return false
		}
	}
	return true
}

// filesFromTar reads the regular files of a tar stream (git archive);
// links and directories are not part of a module zip.
func filesFromTar(r io.Reader) ([]file, error) {
	tr := tar.NewReader(r)
	var out []file
	total := int64(0)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		total += h.Size
		if total > maxZip {
			return nil, fmt.Errorf("archive larger than %d bytes", maxZip)
		}
		data, err := io.ReadAll(io.LimitReader(tr, h.Size))
		if err != nil {
			return nil, err
		}
		out = append(out, file{name: h.Name, data: data})
	}
}

// filesFromDir reads the named files (slash paths relative to root), as
// git ls-files lists them; a listed file deleted from the tree is skipped.
func filesFromDir(root string, names []string) ([]file, error) {
	var out []file
	total := 0
	for _, n := range names {
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(n)))
		if errors.Is(err, os.ErrNotExist) || (err == nil && !fi.Mode().IsRegular()) {
			continue
		}
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(n)))
		if err != nil {
			return nil, err
		}
		if total += len(data); total > maxZip {
			return nil, fmt.Errorf("%s: files larger than %d bytes", root, maxZip)
		}
		out = append(out, file{name: n, data: data})
	}
	return out, nil
}

// writeZip writes files as the zip of modPath@version: every name under
// the prefix "<module>@<version>/".
func writeZip(w io.Writer, modPath, version string, files []file) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		fw, err := zw.Create(modPath + "@" + version + "/" + f.name)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// escapePath escapes a module path for the proxy protocol: an upper-case
// letter becomes '!' and its lower case (https://go.dev/ref/mod#goproxy-protocol).
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// publish writes modPath@version into the file proxy at dir: the .info,
// .mod and .zip files, and the version in list. latest also writes
// @latest, which `go get <module>` asks for when list names no release.
func publish(dir, modPath, version string, t time.Time, files []file, latest bool) error {
	var gomod []byte
	for _, f := range files {
		if f.name == "go.mod" {
			gomod = f.data
		}
	}
	if gomod == nil {
		return fmt.Errorf("%s@%s has no go.mod", modPath, version)
	}
	vdir := filepath.Join(dir, filepath.FromSlash(escapePath(modPath)), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, t.UTC()})
	if err != nil {
		return err
	}
	var zbuf bytes.Buffer
	if err := writeZip(&zbuf, modPath, version, files); err != nil {
		return err
	}
	writes := []struct {
		name string
		data []byte
	}{
		{version + ".info", info},
		{version + ".mod", gomod},
		{version + ".zip", zbuf.Bytes()},
	}
	if latest {
		writes = append(writes, struct {
			name string
			data []byte
		}{"../@latest", info})
	}
	for _, w := range writes {
		if err := os.WriteFile(filepath.Join(vdir, w.name), w.data, 0o644); err != nil {
			return err
		}
	}
	lf, err := os.OpenFile(filepath.Join(vdir, "list"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(lf, version)
	if cerr := lf.Close(); err == nil {
		err = cerr
	}
	return err
}
