package appspec

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/distribution/reference"
	"go.yaml.in/yaml/v3"
)

// SetImage returns data with spec.image replaced by image and every other
// byte unchanged: comments, order, quoting style and layout survive, so a
// CI commit shows a one-line diff. The result must still parse.
func SetImage(file string, data []byte, image string) ([]byte, error) {
	if ref, err := reference.ParseNormalizedNamed(image); err != nil || ref.String() != image {
		return nil, fmt.Errorf("image %q: want a full image reference, e.g. registry.example.com/team/app:3f2a1bc", image)
	}
	if _, err := Parse(file, data); err != nil {
		return nil, err
	}
	doc, _ := singleDocument(data) // Parse succeeded
	node := lookup(doc, "spec", "image")
	if node == nil || node.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("%s: spec.image: Required value: add an image line under spec before setting it", file)
	}
	start, end, err := scalarSpan(data, node)
	if err != nil {
		return nil, fmt.Errorf("%s: spec.image: %w", file, err)
	}
	out := make([]byte, 0, len(data)+len(image))
	out = append(out, data[:start]...)
	out = append(out, quoteLike(node, image)...)
	out = append(out, data[end:]...)
	app, err := Parse(file, out)
	if err != nil {
		return nil, err
	}
	if app.Spec.Image != image {
		return nil, fmt.Errorf("%s: spec.image: rewriting gave %q, not %q; quote the image in the file", file, app.Spec.Image, image)
	}
	return out, nil
}

func lookup(n *yaml.Node, path ...string) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	for _, key := range path {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}

// scalarSpan finds the bytes of a one-line scalar from its line and column.
func scalarSpan(data []byte, n *yaml.Node) (int, int, error) {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return 0, 0, fmt.Errorf("write the image as a plain or quoted scalar on one line")
	}
	lineStart := 0
	for i := 1; i < n.Line; i++ {
		next := bytes.IndexByte(data[lineStart:], '\n')
		if next < 0 {
			return 0, 0, fmt.Errorf("line %d not found", n.Line)
		}
		lineStart += next + 1
	}
	lineEnd := len(data)
	if i := bytes.IndexByte(data[lineStart:], '\n'); i >= 0 {
		lineEnd = lineStart + i
	}
	line := data[lineStart:lineEnd]
	col := n.Column - 1 // yaml columns count runes; the line up to here is ASCII keys and spaces
	if col < 0 || col >= len(line) {
		return 0, 0, fmt.Errorf("column %d outside line %d", n.Column, n.Line)
	}
	var length int
	switch n.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		end := bytes.IndexByte(line[col+1:], line[col])
		if end < 0 {
			return 0, 0, fmt.Errorf("write the image quoted on one line")
		}
		length = end + 2
	default:
		length = len(n.Value)
		if !bytes.HasPrefix(line[col:], []byte(n.Value)) {
			return 0, 0, fmt.Errorf("write the image as a plain or quoted scalar on one line")
		}
	}
	return lineStart + col, lineStart + col + length, nil
}

// quoteLike writes image in the node's quoting style.
func quoteLike(n *yaml.Node, image string) string {
	switch n.Style {
	case yaml.DoubleQuotedStyle:
		return strconv.Quote(image)
	case yaml.SingleQuotedStyle:
		return "'" + image + "'"
	default:
		return image
	}
}
