#!/usr/bin/env python3
"""Turn a terminal screen captured with ANSI colours into an HTML page.

The input is what `tmux capture-pane -e -p` prints: one line of text per screen
row, with SGR escape sequences for colours and attributes. The page draws the
screen in DejaVu Sans Mono as a grid of cells of a fixed size in pixels. So the
columns stay aligned whatever font draws a character, although browsers round
glyph advances and a fallback font's glyphs have widths of their own. Wide
characters (CJK, emoji) take two cells, and box-drawing lines join. A character
that no installed font has is drawn as a box, in its right place.

    python3 scripts/ansi2html.py --cols 120 --rows 36 screen.ansi screen.html

It prints the page's size in pixels, `WIDTH,HEIGHT`, for Chromium's
`--window-size`. Python 3 standard library only.
"""

import argparse
import html
import re
import sys
import unicodedata

FONT_SIZE = 15
# DejaVu Sans Mono's advance is 1233 units of its 2048-unit em (9.03 px at 15 px),
# and its ascent plus descent 2384 units (17.5 px): the cell is about that size.
CELL_WIDTH = 9
ROW_HEIGHT = 18
PADDING = 12

BACKGROUND = (0x1C, 0x1E, 0x24)
FOREGROUND = (0xD4, 0xD6, 0xDC)
# The 16 basic colours: black, red, green, yellow, blue, magenta, cyan, white,
# then their bright forms, chosen to read well on the dark background.
BASIC = [
    (0x2A, 0x2D, 0x35), (0xE0, 0x5A, 0x5A), (0x5C, 0xC2, 0x6E), (0xE0, 0xC0, 0x4C),
    (0x4E, 0x8C, 0xE0), (0xC0, 0x6C, 0xD8), (0x3C, 0xBC, 0xD0), (0xD4, 0xD6, 0xDC),
    (0x6E, 0x73, 0x80), (0xF2, 0x78, 0x78), (0x7C, 0xDC, 0x8C), (0xF2, 0xD8, 0x6C),
    (0x74, 0xA8, 0xF2), (0xD6, 0x8C, 0xEC), (0x62, 0xD6, 0xE6), (0xF4, 0xF6, 0xF8),
]
# Share of the foreground kept by the dim attribute, the rest being background.
DIM_SHARE = 0.6

# Box-drawing and block characters (U+2500 to U+259F) are stretched a little in
# height, so that vertical lines still join when the row is taller than the glyph.
BOX_DRAWING = (0x2500, 0x259F)
BOX_STRETCH = "1.12"

CSI = re.compile(r"\x1b\[([0-9;:?<=>]*)([@-~])")
OTHER_ESCAPE = re.compile(r"\x1b(\][^\x07\x1b]*(\x07|\x1b\\)|[^\[\]])")


class Style:
    """The SGR state of one cell: colours and attributes."""

    __slots__ = ("fg", "bg", "bold", "dim", "italic", "underline", "reverse", "strike", "hidden")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.italic = self.underline = False
        self.reverse = self.strike = self.hidden = False

    def key(self):
        return tuple(getattr(self, name) for name in Style.__slots__)


def palette(index):
    """Returns the RGB colour of entry `index` of the 256-colour palette."""
    if index < 16:
        return BASIC[index]
    if index < 232:
        index -= 16
        levels = [0, 95, 135, 175, 215, 255]
        return (levels[index // 36], levels[index // 6 % 6], levels[index % 6])
    grey = 8 + 10 * (index - 232)
    return (grey, grey, grey)


def extended_colour(params, at):
    """Reads a 38/48 colour starting at params[at] (the 5 or 2 after 38 or 48).

    Returns the colour (or None when the sequence is incomplete) and the number
    of parameters it used.
    """
    if at >= len(params):
        return None, 0
    if params[at] == 5 and at + 1 < len(params):
        return palette(params[at + 1] % 256), 2
    if params[at] == 2 and at + 3 < len(params):
        return tuple(max(0, min(255, value)) for value in params[at + 1:at + 4]), 4
    return None, len(params) - at


def apply_sgr(style, text):
    """Applies the parameters of one SGR sequence (`1;38;5;6`) to `style`."""
    params = []
    for group in text.split(";"):
        # Some terminals separate the parts of one colour with colons, and
        # 38:2:ID:R:G:B carries a colour-space id (often empty) that is dropped.
        parts = group.split(":")
        if len(parts) == 6 and parts[1] == "2":
            del parts[2]
        for part in parts:
            params.append(int(part) if part.isdigit() else 0)
    i = 0
    while i < len(params):
        code = params[i]
        i += 1
        if code == 0:
            style.reset()
        elif code == 1:
            style.bold = True
        elif code == 2:
            style.dim = True
        elif code == 3:
            style.italic = True
        elif code == 4:
            style.underline = True
        elif code == 7:
            style.reverse = True
        elif code == 8:
            style.hidden = True
        elif code == 9:
            style.strike = True
        elif code == 22:
            style.bold = style.dim = False
        elif code == 23:
            style.italic = False
        elif code == 24:
            style.underline = False
        elif code == 27:
            style.reverse = False
        elif code == 28:
            style.hidden = False
        elif code == 29:
            style.strike = False
        elif 30 <= code <= 37:
            style.fg = BASIC[code - 30]
        elif code == 38 or code == 48:
            colour, used = extended_colour(params, i)
            i += used
            if colour is not None:
                if code == 38:
                    style.fg = colour
                else:
                    style.bg = colour
        elif code == 39:
            style.fg = None
        elif 40 <= code <= 47:
            style.bg = BASIC[code - 40]
        elif code == 49:
            style.bg = None
        elif 90 <= code <= 97:
            style.fg = BASIC[code - 90 + 8]
        elif 100 <= code <= 107:
            style.bg = BASIC[code - 100 + 8]


def cell_width(char):
    """Returns the columns a character takes: 0, 1 or 2."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    return 1


def parse(text, cols, rows):
    """Returns the screen as `rows` lists of cells: (text, width, style key)."""
    style = Style()
    screen = []
    for line in text.split("\n")[:rows]:
        row = []
        used = 0
        at = 0
        while at < len(line):
            if line[at] == "\x1b":
                csi = CSI.match(line, at)
                if csi:
                    if csi.group(2) == "m":
                        apply_sgr(style, csi.group(1))
                    at = csi.end()
                    continue
                other = OTHER_ESCAPE.match(line, at)
                at = other.end() if other else at + 1
                continue
            char = line[at]
            at += 1
            if ord(char) < 0x20 or ord(char) == 0x7F:
                continue
            width = cell_width(char)
            if width == 0:
                if row:
                    text_, width_, key = row[-1]
                    row[-1] = (text_ + char, width_, key)
                continue
            if used + width > cols:
                break
            row.append((char, width, style.key()))
            used += width
        # tmux leaves out the blank cells at the end of a row.
        blank = Style().key()
        row.extend((" ", 1, blank) for _ in range(cols - used))
        screen.append(row)
    while len(screen) < rows:
        screen.append([(" ", 1, Style().key())] * cols)
    return screen


def css_colour(rgb):
    return "#%02x%02x%02x" % rgb


def blend(front, back, share):
    return tuple(round(f * share + b * (1 - share)) for f, b in zip(front, back))


def css_of(key):
    """Returns the inline CSS of a style key, empty for the default style."""
    fg, bg, bold, dim, italic, underline, reverse, strike, hidden = key
    fg = fg or FOREGROUND
    bg = bg or BACKGROUND
    if dim:
        fg = blend(fg, bg, DIM_SHARE)
    if reverse:
        fg, bg = bg, fg
    if hidden:
        fg = bg
    rules = []
    if fg != FOREGROUND:
        rules.append("color:" + css_colour(fg))
    if bg != BACKGROUND:
        rules.append("background:" + css_colour(bg))
    if bold:
        rules.append("font-weight:bold")
    if italic:
        rules.append("font-style:italic")
    lines = [name for name, on in (("underline", underline), ("line-through", strike)) if on]
    if lines:
        rules.append("text-decoration:" + " ".join(lines))
    return ";".join(rules)


def run_html(cells):
    """Returns the HTML of cells that share one style, each in a box of its own
    width, so that no glyph can shift the columns after it."""
    out = []
    for text, width, _ in cells:
        if BOX_DRAWING[0] <= ord(text[0]) <= BOX_DRAWING[1]:
            out.append('<i class="box">%s</i>' % html.escape(text))
        elif width == 2:
            out.append('<i class="w2">%s</i>' % html.escape(text))
        else:
            out.append("<i>%s</i>" % html.escape(text))
    return "".join(out)


def page(screen, cols, title):
    rows_html = []
    for row in screen:
        parts = []
        start = 0
        while start < len(row):
            end = start
            while end < len(row) and row[end][2] == row[start][2]:
                end += 1
            css = css_of(row[start][2])
            inner = run_html(row[start:end])
            parts.append('<span style="%s">%s</span>' % (css, inner) if css else "<span>%s</span>" % inner)
            start = end
        rows_html.append('<div class="r">%s</div>' % "".join(parts))
    width, height = page_size(cols, len(screen))
    return """<!doctype html>
<html><head><meta charset="utf-8"><title>%(title)s</title>
<style>
html, body { margin: 0; background: %(bg)s; overflow: hidden; }
body { width: %(width)dpx; height: %(height)dpx; }
.screen { padding: %(pad)dpx; color: %(fg)s; font-family: "DejaVu Sans Mono", monospace;
  font-size: %(size)dpx; font-kerning: none; font-variant-ligatures: none; }
.r { height: %(row)dpx; line-height: %(row)dpx; white-space: pre; }
.r > span { display: inline-block; height: %(row)dpx; vertical-align: top; }
i { font-style: inherit; display: inline-block; width: %(cell)dpx; text-align: center; }
i.w2 { width: %(cell2)dpx; }
i.box { transform: scaleY(%(box_stretch)s); }
</style></head>
<body><div class="screen">
%(rows)s
</div></body></html>
""" % {
        "title": html.escape(title),
        "bg": css_colour(BACKGROUND),
        "fg": css_colour(FOREGROUND),
        "width": width,
        "height": height,
        "pad": PADDING,
        "size": FONT_SIZE,
        "row": ROW_HEIGHT,
        "cell": CELL_WIDTH,
        "cell2": 2 * CELL_WIDTH,
        "box_stretch": BOX_STRETCH,
        "rows": "\n".join(rows_html),
    }


def page_size(cols, rows):
    """Returns the page's width and height in pixels."""
    return cols * CELL_WIDTH + 2 * PADDING, rows * ROW_HEIGHT + 2 * PADDING


def main():
    parser = argparse.ArgumentParser(description="Turn an ANSI screen capture into an HTML page.")
    parser.add_argument("--cols", type=int, required=True, help="columns of the captured screen")
    parser.add_argument("--rows", type=int, required=True, help="rows of the captured screen")
    parser.add_argument("--title", default="webhook-dedup", help="title of the page")
    parser.add_argument("input", help="capture file, or - for standard input")
    parser.add_argument("output", help="HTML file to write")
    args = parser.parse_args()
    if args.cols < 1 or args.rows < 1:
        parser.error("--cols and --rows must be at least 1")

    if args.input == "-":
        text = sys.stdin.read()
    else:
        with open(args.input, encoding="utf-8", errors="replace") as capture:
            text = capture.read()
    screen = parse(text, args.cols, args.rows)
    with open(args.output, "w", encoding="utf-8") as out:
        out.write(page(screen, args.cols, args.title))
    print("%d,%d" % page_size(args.cols, args.rows))


if __name__ == "__main__":
    main()
