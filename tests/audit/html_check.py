#!/usr/bin/env python3
"""Check that an HTML page of bhxhctl report is well formed and self-contained.

Usage: html_check.py FILE

Well formed: valid UTF-8, <!DOCTYPE html> first, every element that needs a
closing tag closed in order, no stray end tags, attributes quoted, one
<html>, <head> with <meta charset="utf-8"> and <title>, one <body>.
Self-contained: no <script>, no <link>, no <img>/<iframe>/<object>/<embed>,
no url(...) in CSS, no href/src attribute pointing anywhere, no event
handler attributes.
"""
import re
import sys
from html.parser import HTMLParser

VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "source", "wbr"}
SVG_VOID = {"rect", "line", "polyline", "circle", "path"}  # self-closed in our SVG
FORBIDDEN = {"script", "link", "img", "iframe", "object", "embed", "frame", "audio", "video"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.errors = []
        self.seen = {}
        self.charset = False
        self.title = ""
        self.in_title = False

    def err(self, msg):
        line, col = self.getpos()
        self.errors.append("%d:%d: %s" % (line, col, msg))

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, True)

    def _start(self, tag, attrs, closed):
        self.seen[tag] = self.seen.get(tag, 0) + 1
        if tag in FORBIDDEN:
            self.err("forbidden element <%s>" % tag)
        for k, v in attrs:
            if v is None and tag not in ("option",):
                self.err("attribute %s of <%s> without a value" % (k, tag))
            if k.startswith("on"):
                self.err("event handler %s" % k)
            if k in ("href", "src", "action", "xlink:href"):
                self.err("external reference %s=%r" % (k, v))
            if k == "style" and v and "url(" in v:
                self.err("url() in style")
        if tag == "meta" and dict(attrs).get("charset", "").lower() == "utf-8":
            self.charset = True
        if tag == "title":
            self.in_title = True
        if tag in VOID or closed:
            return
        if tag in SVG_VOID:
            self.err("<%s> not self-closed" % tag)
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in VOID:
            self.err("end tag of void element </%s>" % tag)
            return
        if not self.stack or self.stack[-1] != tag:
            self.err("</%s> does not close <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data):
        if self.in_title:
            self.title += data


def main():
    raw = open(sys.argv[1], "rb").read()
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        print("not UTF-8: %s" % e)
        return 1
    errors = []
    if not re.match(r"<!DOCTYPE html>\s*<html lang=\"[a-z]{2}\">", text):
        errors.append("does not start with <!DOCTYPE html><html lang=..>")
    if re.search(r"url\(", text) or re.search(r"@import|@font-face", text):
        errors.append("CSS loads something")
    c = Checker()
    c.feed(text)
    c.close()
    errors += c.errors
    if c.stack:
        errors.append("unclosed: %s" % " ".join(c.stack))
    for tag in ("html", "head", "body", "title"):
        if c.seen.get(tag) != 1:
            errors.append("<%s> %d times" % (tag, c.seen.get(tag, 0)))
    if not c.charset:
        errors.append('no <meta charset="utf-8">')
    if not c.title.strip():
        errors.append("empty title")
    if c.seen.get("svg", 0) < 1:
        errors.append("no chart")
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
