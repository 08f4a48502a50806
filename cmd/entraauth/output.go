package main

import (
	"bytes"
	"encoding/json"
	"io"
)

// writeJSON writes v as indented JSON and a newline, with the characters
// a terminal would act on escaped (jsonSafe): every JSON the tool prints
// (decode, token, accounts, status) holds strings a server wrote.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(jsonSafe(b.Bytes()))
	return err
}
