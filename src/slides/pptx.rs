//! PPTX writer: a [`Deck`] as an Office Open XML PresentationML package (ECMA-376 Part 1,
//! §19), zipped with the `zip` crate.
//!
//! The package holds what PowerPoint needs to open a file without repair: content types, the
//! package and part relationships, core and app properties, the presentation with its slide
//! size (16:9, 12,192,000 × 6,858,000 EMU), one slide master with its theme, two slide layouts
//! ("Title Slide", "Title Only"), one notes master with its theme, and per slide the slide
//! part, its notes slide and its images (PNG parts, shared between slides when identical).
//! Text stays editable: titles are in the layouts' title placeholders, other text in real text
//! boxes (no insets, no autofit: the builder has checked that it fits), key figures in a real
//! table. The theme's fonts are Calibri: PowerPoint has it, and LibreOffice and fontconfig
//! substitute the metric-compatible Carlito that `scripts/setup` installs, so text breaks
//! where the builder measured it.
//!
//! Byte-stable: parts are written in a fixed order, every zip entry carries the deck's
//! creation time (from the dataset's `built_at`) and mode 0644, and no part holds the
//! current time or a random id.

use super::error::SlidesError;
use super::layout::{self, title_frame, title_paragraph, BANNER, EMU_PER_PT, SLIDE_H, SLIDE_W};
use super::model::{
    Align, Cell, Content, Deck, Layout, Paragraph, Picture, Rect, Run, Slide, Table, TextBox,
};
use crate::render::colour::Colour;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

const NS_A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";
const NS_R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const NS_P: &str = "http://schemas.openxmlformats.org/presentationml/2006/main";
const NS_RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_HEADER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
/// The theme font (see the module doc).
pub const FONT: &str = "Calibri";
const LANG: &str = "en-GB";

/// Points to EMU.
fn emu(pt: f32) -> i64 {
    (f64::from(pt) * f64::from(EMU_PER_PT)).round() as i64
}

/// Escape text for XML content and attributes, dropping characters XML 1.0 forbids.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn xfrm(r: Rect) -> String {
    format!(
        "<a:xfrm><a:off x=\"{}\" y=\"{}\"/><a:ext cx=\"{}\" cy=\"{}\"/></a:xfrm>",
        emu(r.x),
        emu(r.y),
        emu(r.w),
        emu(r.h)
    )
}

fn fill(colour: Option<Colour>) -> String {
    match colour {
        Some(c) => format!(
            "<a:solidFill><a:srgbClr val=\"{}\"/></a:solidFill>",
            c.hex6()
        ),
        None => "<a:noFill/>".into(),
    }
}

fn algn(a: Align) -> &'static str {
    match a {
        Align::Left => "l",
        Align::Centre => "ctr",
        Align::Right => "r",
    }
}

/// Hundredths of a point, as `sz` wants.
fn sz(pt: f32) -> i64 {
    (f64::from(pt) * 100.0).round() as i64
}

fn run(r: &Run, size: f32) -> String {
    format!(
        "<a:r><a:rPr lang=\"{LANG}\" sz=\"{}\" b=\"{}\" dirty=\"0\"><a:solidFill><a:srgbClr val=\"{}\"/></a:solidFill><a:latin typeface=\"+mn-lt\"/></a:rPr><a:t>{}</a:t></a:r>",
        sz(size),
        u8::from(r.bold),
        r.colour.hex6(),
        esc(&r.text)
    )
}

fn paragraph(p: &Paragraph) -> String {
    let mut s = format!("<a:p><a:pPr algn=\"{}\"", algn(p.align));
    if p.bullet {
        let _ = write!(
            s,
            " marL=\"{}\" indent=\"{}\"",
            emu(layout::BULLET_INDENT),
            -emu(layout::BULLET_INDENT)
        );
    }
    s.push_str("><a:lnSpc><a:spcPct val=\"100000\"/></a:lnSpc>");
    let _ = write!(
        s,
        "<a:spcBef><a:spcPts val=\"{}\"/></a:spcBef>",
        sz(p.space_before)
    );
    if p.bullet {
        s.push_str("<a:buFont typeface=\"+mn-lt\"/><a:buChar char=\"•\"/>");
    } else {
        s.push_str("<a:buNone/>");
    }
    s.push_str("</a:pPr>");
    for r in &p.runs {
        s.push_str(&run(r, p.size));
    }
    let _ = write!(
        s,
        "<a:endParaRPr lang=\"{LANG}\" sz=\"{}\" dirty=\"0\"/></a:p>",
        sz(p.size)
    );
    s
}

/// `<a:bodyPr>` with no insets and no autofit, anchored top (or centre).
fn body_pr(anchor: &str) -> String {
    format!("<a:bodyPr wrap=\"square\" lIns=\"0\" tIns=\"0\" rIns=\"0\" bIns=\"0\" rtlCol=\"0\" anchor=\"{anchor}\"><a:noAutofit/></a:bodyPr>")
}

fn text_box(id: usize, name: &str, frame: Rect, tb: &TextBox, anchor: &str) -> String {
    // No space above the first paragraph, as the layout (and the PDF) has none.
    let paras: String = tb
        .paragraphs
        .iter()
        .enumerate()
        .map(|(i, p)| match i {
            0 => paragraph(&Paragraph {
                space_before: 0.0,
                ..p.clone()
            }),
            _ => paragraph(p),
        })
        .collect();
    format!(
        "<p:sp><p:nvSpPr><p:cNvPr id=\"{id}\" name=\"{}\"/><p:cNvSpPr txBox=\"1\"/><p:nvPr/></p:nvSpPr><p:spPr>{}<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom>{}</p:spPr><p:txBody>{}<a:lstStyle/>{paras}</p:txBody></p:sp>",
        esc(name),
        xfrm(frame),
        fill(tb.fill),
        body_pr(anchor)
    )
}

fn title_shape(id: usize, slide: &Slide) -> String {
    let ph = match slide.layout {
        Layout::Title => "ctrTitle",
        Layout::TitleOnly => "title",
    };
    format!(
        "<p:sp><p:nvSpPr><p:cNvPr id=\"{id}\" name=\"Title\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"{ph}\"/></p:nvPr></p:nvSpPr><p:spPr>{}</p:spPr><p:txBody>{}<a:lstStyle/>{}</p:txBody></p:sp>",
        xfrm(title_frame(slide.layout)),
        body_pr("t"),
        paragraph(&title_paragraph(&slide.title, slide.title_size))
    )
}

fn banner(id: usize) -> String {
    text_box(
        id,
        "Synthetic data banner",
        BANNER,
        &layout::banner_box(),
        "ctr",
    )
}

fn picture(id: usize, name: &str, frame: Rect, pic: &Picture, rel: &str) -> String {
    format!(
        "<p:pic><p:nvPicPr><p:cNvPr id=\"{id}\" name=\"{}\" descr=\"{}\"/><p:cNvPicPr><a:picLocks noChangeAspect=\"1\"/></p:cNvPicPr><p:nvPr/></p:nvPicPr><p:blipFill><a:blip r:embed=\"{rel}\"/><a:stretch><a:fillRect/></a:stretch></p:blipFill><p:spPr>{}<a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></p:spPr></p:pic>",
        esc(name),
        esc(&pic.description),
        xfrm(frame)
    )
}

fn cell(c: &Cell, size: f32) -> String {
    let border = |tag: &str| {
        format!(
            "<a:{tag} w=\"6350\"><a:solidFill><a:srgbClr val=\"c4cbd3\"/></a:solidFill></a:{tag}>"
        )
    };
    let text = if c.text.is_empty() {
        format!(
            "<a:p><a:pPr algn=\"{}\"/><a:endParaRPr lang=\"{LANG}\" sz=\"{}\" dirty=\"0\"/></a:p>",
            algn(c.align),
            sz(size)
        )
    } else {
        format!(
            "<a:p><a:pPr algn=\"{}\"/>{}</a:p>",
            algn(c.align),
            run(
                &Run {
                    text: c.text.clone(),
                    bold: c.bold,
                    colour: Colour::INK
                },
                size
            )
        )
    };
    format!(
        "<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{text}</a:txBody><a:tcPr marL=\"{m}\" marR=\"{m}\" marT=\"{v}\" marB=\"{v}\" anchor=\"ctr\">{}{}{}{}{}</a:tcPr></a:tc>",
        border("lnL"),
        border("lnR"),
        border("lnT"),
        border("lnB"),
        fill(c.fill),
        m = emu(layout::CELL_MARGIN_X),
        v = emu(layout::CELL_MARGIN_Y),
    )
}

fn table(id: usize, name: &str, frame: Rect, t: &Table) -> String {
    let grid: String = t
        .columns
        .iter()
        .map(|w| format!("<a:gridCol w=\"{}\"/>", emu(*w)))
        .collect();
    let rows: String = t
        .rows
        .iter()
        .map(|row| {
            let cells: String = row.iter().map(|c| cell(c, t.size)).collect();
            format!("<a:tr h=\"{}\">{cells}</a:tr>", emu(t.row_height))
        })
        .collect();
    format!(
        "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id=\"{id}\" name=\"{}\"/><p:cNvGraphicFramePr><a:graphicFrameLocks noGrp=\"1\"/></p:cNvGraphicFramePr><p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x=\"{}\" y=\"{}\"/><a:ext cx=\"{}\" cy=\"{}\"/></p:xfrm><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/table\"><a:tbl><a:tblPr firstRow=\"1\"/><a:tblGrid>{grid}</a:tblGrid>{rows}</a:tbl></a:graphicData></a:graphic></p:graphicFrame>",
        esc(name),
        emu(frame.x),
        emu(frame.y),
        emu(frame.w),
        emu(frame.h)
    )
}

const GROUP: &str = "<p:nvGrpSpPr><p:cNvPr id=\"1\" name=\"\"/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"0\" cy=\"0\"/><a:chOff x=\"0\" y=\"0\"/><a:chExt cx=\"0\" cy=\"0\"/></a:xfrm></p:grpSpPr>";

/// Relationship id of a slide's `n`-th picture (0-based): after the layout and notes.
fn image_rel_id(n: usize) -> String {
    format!("rId{}", 3 + n)
}

/// A slide's XML; pictures refer to [`image_rel_id`] in shape order.
fn slide_xml(slide: &Slide) -> String {
    let mut tree = String::from(GROUP);
    let mut id = 2;
    tree.push_str(&title_shape(id, slide));
    id += 1;
    let mut images = 0;
    for shape in &slide.shapes {
        tree.push_str(&match &shape.content {
            Content::Text(tb) => text_box(id, &shape.name, shape.frame, tb, "t"),
            Content::Image(pic) => {
                images += 1;
                picture(id, &shape.name, shape.frame, pic, &image_rel_id(images - 1))
            }
            Content::Table(t) => table(id, &shape.name, shape.frame, t),
        });
        id += 1;
    }
    if slide.synthetic_banner {
        tree.push_str(&banner(id));
    }
    format!(
        "{XML_HEADER}<p:sld xmlns:a=\"{NS_A}\" xmlns:r=\"{NS_R}\" xmlns:p=\"{NS_P}\"><p:cSld><p:spTree>{tree}</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>"
    )
}

fn notes_xml(slide: &Slide) -> String {
    let paras: String = if slide.notes.is_empty() {
        format!("<a:p><a:endParaRPr lang=\"{LANG}\" dirty=\"0\"/></a:p>")
    } else {
        slide
            .notes
            .iter()
            .map(|n| {
                format!(
                    "<a:p><a:r><a:rPr lang=\"{LANG}\" dirty=\"0\"/><a:t>{}</a:t></a:r></a:p>",
                    esc(n)
                )
            })
            .collect()
    };
    format!(
        "{XML_HEADER}<p:notes xmlns:a=\"{NS_A}\" xmlns:r=\"{NS_R}\" xmlns:p=\"{NS_P}\"><p:cSld><p:spTree>{GROUP}<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Slide Image Placeholder 1\"/><p:cNvSpPr><a:spLocks noGrp=\"1\" noRot=\"1\" noChangeAspect=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"sldImg\"/></p:nvPr></p:nvSpPr><p:spPr/></p:sp><p:sp><p:nvSpPr><p:cNvPr id=\"3\" name=\"Notes Placeholder 2\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"body\" idx=\"1\"/></p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/>{paras}</p:txBody></p:sp></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>"
    )
}

fn relationships(rels: &[(String, &str, String)]) -> String {
    let mut s = format!("{XML_HEADER}<Relationships xmlns=\"{NS_RELS}\">");
    for (id, kind, target) in rels {
        let _ = write!(
            s,
            "<Relationship Id=\"{id}\" Type=\"{kind}\" Target=\"{}\"/>",
            esc(target)
        );
    }
    s.push_str("</Relationships>");
    s
}

fn rel_type(kind: &str) -> String {
    format!("{REL}/{kind}")
}

/// A title placeholder for the master and layouts (prompt text only; slides carry their own).
fn placeholder_title(ph: &str, frame: Rect, size: f32) -> String {
    format!(
        "<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Title Placeholder 1\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"{ph}\"/></p:nvPr></p:nvSpPr><p:spPr>{}</p:spPr><p:txBody>{}<a:lstStyle><a:lvl1pPr><a:defRPr sz=\"{}\"/></a:lvl1pPr></a:lstStyle><a:p><a:r><a:rPr lang=\"{LANG}\"/><a:t>Click to edit the title</a:t></a:r></a:p></p:txBody></p:sp>",
        xfrm(frame),
        body_pr("t"),
        sz(size)
    )
}

fn master_xml() -> String {
    let text_style = |tag: &str, size: f32, bold: bool, font: &str| {
        format!(
            "<p:{tag}><a:lvl1pPr marL=\"0\" indent=\"0\" algn=\"l\"><a:lnSpc><a:spcPct val=\"100000\"/></a:lnSpc><a:buNone/><a:defRPr sz=\"{}\" b=\"{}\"><a:solidFill><a:srgbClr val=\"{}\"/></a:solidFill><a:latin typeface=\"{font}\"/><a:ea typeface=\"{font}\"/><a:cs typeface=\"{font}\"/></a:defRPr></a:lvl1pPr></p:{tag}>",
            sz(size),
            u8::from(bold),
            Colour::INK.hex6()
        )
    };
    let body = format!(
        "<p:sp><p:nvSpPr><p:cNvPr id=\"3\" name=\"Text Placeholder 2\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"body\" idx=\"1\"/></p:nvPr></p:nvSpPr><p:spPr>{}</p:spPr><p:txBody>{}<a:lstStyle/><a:p><a:r><a:rPr lang=\"{LANG}\"/><a:t>Click to edit the text</a:t></a:r></a:p></p:txBody></p:sp>",
        xfrm(Rect::new(layout::MARGIN, 80.0, SLIDE_W - 2.0 * layout::MARGIN, 430.0)),
        body_pr("t")
    );
    format!(
        "{XML_HEADER}<p:sldMaster xmlns:a=\"{NS_A}\" xmlns:r=\"{NS_R}\" xmlns:p=\"{NS_P}\"><p:cSld><p:bg><p:bgRef idx=\"1001\"><a:schemeClr val=\"bg1\"/></p:bgRef></p:bg><p:spTree>{GROUP}{}{body}</p:spTree></p:cSld><p:clrMap bg1=\"lt1\" tx1=\"dk1\" bg2=\"lt2\" tx2=\"dk2\" accent1=\"accent1\" accent2=\"accent2\" accent3=\"accent3\" accent4=\"accent4\" accent5=\"accent5\" accent6=\"accent6\" hlink=\"hlink\" folHlink=\"folHlink\"/><p:sldLayoutIdLst><p:sldLayoutId id=\"2147483649\" r:id=\"rId1\"/><p:sldLayoutId id=\"2147483650\" r:id=\"rId2\"/></p:sldLayoutIdLst><p:txStyles>{}{}{}</p:txStyles></p:sldMaster>",
        placeholder_title("title", title_frame(Layout::TitleOnly), layout::title_size(Layout::TitleOnly)),
        text_style("titleStyle", layout::title_size(Layout::TitleOnly), true, "+mj-lt"),
        text_style("bodyStyle", 18.0, false, "+mn-lt"),
        text_style("otherStyle", 18.0, false, "+mn-lt"),
    )
}

/// Text outside placeholders (text boxes, table cells) in the theme's body font.
fn default_text_style() -> String {
    format!(
        "<p:defaultTextStyle><a:defPPr><a:defRPr lang=\"{LANG}\"/></a:defPPr><a:lvl1pPr marL=\"0\" algn=\"l\"><a:defRPr sz=\"1800\"><a:solidFill><a:srgbClr val=\"{}\"/></a:solidFill><a:latin typeface=\"+mn-lt\"/><a:ea typeface=\"+mn-ea\"/><a:cs typeface=\"+mn-cs\"/></a:defRPr></a:lvl1pPr></p:defaultTextStyle>",
        Colour::INK.hex6()
    )
}

fn layout_xml(kind: Layout) -> String {
    let (ty, name, ph) = match kind {
        Layout::Title => ("title", "Title Slide", "ctrTitle"),
        Layout::TitleOnly => ("titleOnly", "Title Only", "title"),
    };
    format!(
        "{XML_HEADER}<p:sldLayout xmlns:a=\"{NS_A}\" xmlns:r=\"{NS_R}\" xmlns:p=\"{NS_P}\" type=\"{ty}\" preserve=\"1\"><p:cSld name=\"{name}\"><p:spTree>{GROUP}{}</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>",
        placeholder_title(ph, title_frame(kind), layout::title_size(kind))
    )
}

fn notes_master_xml() -> String {
    format!(
        "{XML_HEADER}<p:notesMaster xmlns:a=\"{NS_A}\" xmlns:r=\"{NS_R}\" xmlns:p=\"{NS_P}\"><p:cSld><p:bg><p:bgRef idx=\"1001\"><a:schemeClr val=\"bg1\"/></p:bgRef></p:bg><p:spTree>{GROUP}<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"Slide Image Placeholder 1\"/><p:cNvSpPr><a:spLocks noGrp=\"1\" noRot=\"1\" noChangeAspect=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"sldImg\" idx=\"2\"/></p:nvPr></p:nvSpPr><p:spPr><a:xfrm><a:off x=\"381000\" y=\"685800\"/><a:ext cx=\"6096000\" cy=\"3429000\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom><a:noFill/><a:ln w=\"12700\"><a:solidFill><a:prstClr val=\"black\"/></a:solidFill></a:ln></p:spPr></p:sp><p:sp><p:nvSpPr><p:cNvPr id=\"3\" name=\"Notes Placeholder 2\"/><p:cNvSpPr><a:spLocks noGrp=\"1\"/></p:cNvSpPr><p:nvPr><p:ph type=\"body\" sz=\"quarter\" idx=\"3\"/></p:nvPr></p:nvSpPr><p:spPr><a:xfrm><a:off x=\"685800\" y=\"4343400\"/><a:ext cx=\"5486400\" cy=\"4114800\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></p:spPr><p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:rPr lang=\"{LANG}\"/><a:t>Click to edit the notes</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld><p:clrMap bg1=\"lt1\" tx1=\"dk1\" bg2=\"lt2\" tx2=\"dk2\" accent1=\"accent1\" accent2=\"accent2\" accent3=\"accent3\" accent4=\"accent4\" accent5=\"accent5\" accent6=\"accent6\" hlink=\"hlink\" folHlink=\"folHlink\"/><p:notesStyle><a:lvl1pPr marL=\"0\" algn=\"l\"><a:defRPr sz=\"1200\"><a:solidFill><a:schemeClr val=\"tx1\"/></a:solidFill><a:latin typeface=\"+mn-lt\"/><a:ea typeface=\"+mn-ea\"/><a:cs typeface=\"+mn-cs\"/></a:defRPr></a:lvl1pPr></p:notesStyle></p:notesMaster>"
    )
}

/// The theme: the web map's ink and accent colours, Calibri for headings and body, and the
/// three-entry style lists the schema requires.
fn theme_xml(name: &str) -> String {
    let c = |tag: &str, hex: &str| format!("<a:{tag}><a:srgbClr val=\"{hex}\"/></a:{tag}>");
    let colours = [
        c("dk1", "000000"),
        c("lt1", "FFFFFF"),
        c("dk2", "1B1F24"),
        c("lt2", "F4F6F8"),
        c("accent1", "0B5CAD"),
        c("accent2", "D95F02"),
        c("accent3", "21918C"),
        c("accent4", "721F81"),
        c("accent5", "C00000"),
        c("accent6", "FFD23F"),
        c("hlink", "0B5CAD"),
        c("folHlink", "721F81"),
    ]
    .concat();
    let font = |tag: &str| {
        format!("<a:{tag}><a:latin typeface=\"{FONT}\"/><a:ea typeface=\"\"/><a:cs typeface=\"\"/></a:{tag}>")
    };
    let solid = "<a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill>";
    let line = |w: u32| {
        format!("<a:ln w=\"{w}\" cap=\"flat\" cmpd=\"sng\" algn=\"ctr\">{solid}<a:prstDash val=\"solid\"/></a:ln>")
    };
    let effect = "<a:effectStyle><a:effectLst/></a:effectStyle>";
    format!(
        "{XML_HEADER}<a:theme xmlns:a=\"{NS_A}\" name=\"{name}\"><a:themeElements><a:clrScheme name=\"gapmap\">{colours}</a:clrScheme><a:fontScheme name=\"gapmap\">{}{}</a:fontScheme><a:fmtScheme name=\"gapmap\"><a:fillStyleLst>{solid}{solid}{solid}</a:fillStyleLst><a:lnStyleLst>{}{}{}</a:lnStyleLst><a:effectStyleLst>{effect}{effect}{effect}</a:effectStyleLst><a:bgFillStyleLst>{solid}{solid}{solid}</a:bgFillStyleLst></a:fmtScheme></a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>",
        font("majorFont"),
        font("minorFont"),
        line(9525),
        line(25400),
        line(38100),
    )
}

/// The zip timestamp for the deck: its creation time (`YYYY-MM-DDTHH:MM:SS…`), or the zip
/// epoch (1980-01-01) when it cannot be read.
fn zip_time(created: &str) -> zip::DateTime {
    let field = |from: usize, to: usize| created.get(from..to).and_then(|s| s.parse::<u16>().ok());
    match (
        field(0, 4),
        field(5, 7),
        field(8, 10),
        field(11, 13),
        field(14, 16),
        field(17, 19),
    ) {
        (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) => {
            let small = |v: u16| u8::try_from(v).unwrap_or(0);
            zip::DateTime::from_date_and_time(y, small(mo), small(d), small(h), small(mi), small(s))
                .unwrap_or_default()
        }
        _ => zip::DateTime::default(),
    }
}

/// Write the deck as a PPTX package.
pub fn write_pptx(deck: &Deck) -> Result<Vec<u8>, SlidesError> {
    // Images: one media part per distinct PNG, numbered in first-use order.
    let mut media: Vec<&[u8]> = Vec::new();
    let mut media_index: BTreeMap<[u8; 32], usize> = BTreeMap::new();
    let mut slide_images: Vec<Vec<usize>> = Vec::new();
    for slide in &deck.slides {
        let mut ids = Vec::new();
        for shape in &slide.shapes {
            if let Content::Image(pic) = &shape.content {
                let key: [u8; 32] = Sha256::digest(pic.png.as_slice()).into();
                let n = *media_index.entry(key).or_insert_with(|| {
                    media.push(pic.png.as_slice());
                    media.len()
                });
                ids.push(n);
            }
        }
        slide_images.push(ids);
    }

    let n = deck.slides.len();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    let mut content_types = format!(
        "{XML_HEADER}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Default Extension=\"png\" ContentType=\"image/png\"/>"
    );
    let mut ov = |part: &str, kind: &str| {
        let _ = write!(
            content_types,
            "<Override PartName=\"{part}\" ContentType=\"application/vnd.openxmlformats-{kind}\"/>"
        );
    };
    ov(
        "/ppt/presentation.xml",
        "officedocument.presentationml.presentation.main+xml",
    );
    ov(
        "/ppt/slideMasters/slideMaster1.xml",
        "officedocument.presentationml.slideMaster+xml",
    );
    ov(
        "/ppt/slideLayouts/slideLayout1.xml",
        "officedocument.presentationml.slideLayout+xml",
    );
    ov(
        "/ppt/slideLayouts/slideLayout2.xml",
        "officedocument.presentationml.slideLayout+xml",
    );
    ov(
        "/ppt/notesMasters/notesMaster1.xml",
        "officedocument.presentationml.notesMaster+xml",
    );
    ov("/ppt/theme/theme1.xml", "officedocument.theme+xml");
    ov("/ppt/theme/theme2.xml", "officedocument.theme+xml");
    ov(
        "/ppt/presProps.xml",
        "officedocument.presentationml.presProps+xml",
    );
    ov(
        "/ppt/viewProps.xml",
        "officedocument.presentationml.viewProps+xml",
    );
    ov(
        "/ppt/tableStyles.xml",
        "officedocument.presentationml.tableStyles+xml",
    );
    ov("/docProps/core.xml", "package.core-properties+xml");
    ov(
        "/docProps/app.xml",
        "officedocument.extended-properties+xml",
    );
    for i in 1..=n {
        ov(
            &format!("/ppt/slides/slide{i}.xml"),
            "officedocument.presentationml.slide+xml",
        );
        ov(
            &format!("/ppt/notesSlides/notesSlide{i}.xml"),
            "officedocument.presentationml.notesSlide+xml",
        );
    }
    content_types.push_str("</Types>");
    parts.push(("[Content_Types].xml".into(), content_types.into_bytes()));

    parts.push((
        "_rels/.rels".into(),
        relationships(&[
            ("rId1".into(), &rel_type("officeDocument"), "ppt/presentation.xml".into()),
            ("rId2".into(), "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml".into()),
            ("rId3".into(), &rel_type("extended-properties"), "docProps/app.xml".into()),
        ])
        .into_bytes(),
    ));
    parts.push((
        "docProps/core.xml".into(),
        format!(
            "{XML_HEADER}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:dcmitype=\"http://purl.org/dc/dcmitype/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>{}</dc:title><dc:creator>gapmap</dc:creator><cp:lastModifiedBy>gapmap</cp:lastModifiedBy><dc:identifier>{}</dc:identifier><dcterms:created xsi:type=\"dcterms:W3CDTF\">{}</dcterms:created><dcterms:modified xsi:type=\"dcterms:W3CDTF\">{}</dcterms:modified></cp:coreProperties>",
            esc(&deck.title),
            esc(&deck.document_id),
            esc(&deck.created),
            esc(&deck.created)
        )
        .into_bytes(),
    ));
    parts.push((
        "docProps/app.xml".into(),
        format!(
            "{XML_HEADER}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\"><Application>gapmap</Application><PresentationFormat>Widescreen</PresentationFormat><Slides>{n}</Slides><Notes>{n}</Notes></Properties>"
        )
        .into_bytes(),
    ));

    let mut pres_rels: Vec<(String, &str, String)> = Vec::new();
    let slide_master = rel_type("slideMaster");
    let notes_master = rel_type("notesMaster");
    let pres_props = rel_type("presProps");
    let view_props = rel_type("viewProps");
    let theme = rel_type("theme");
    let table_styles = rel_type("tableStyles");
    let slide_rel = rel_type("slide");
    pres_rels.push((
        "rId1".into(),
        &slide_master,
        "slideMasters/slideMaster1.xml".into(),
    ));
    pres_rels.push((
        "rId2".into(),
        &notes_master,
        "notesMasters/notesMaster1.xml".into(),
    ));
    pres_rels.push(("rId3".into(), &pres_props, "presProps.xml".into()));
    pres_rels.push(("rId4".into(), &view_props, "viewProps.xml".into()));
    pres_rels.push(("rId5".into(), &theme, "theme/theme1.xml".into()));
    pres_rels.push(("rId6".into(), &table_styles, "tableStyles.xml".into()));
    let mut slide_ids = String::new();
    for i in 1..=n {
        pres_rels.push((
            format!("rId{}", 10 + i),
            &slide_rel,
            format!("slides/slide{i}.xml"),
        ));
        let _ = write!(
            slide_ids,
            "<p:sldId id=\"{}\" r:id=\"rId{}\"/>",
            255 + i,
            10 + i
        );
    }
    parts.push((
        "ppt/presentation.xml".into(),
        format!(
            "{XML_HEADER}<p:presentation xmlns:a=\"{NS_A}\" xmlns:r=\"{NS_R}\" xmlns:p=\"{NS_P}\" saveSubsetFonts=\"1\"><p:sldMasterIdLst><p:sldMasterId id=\"2147483648\" r:id=\"rId1\"/></p:sldMasterIdLst><p:notesMasterIdLst><p:notesMasterId r:id=\"rId2\"/></p:notesMasterIdLst><p:sldIdLst>{slide_ids}</p:sldIdLst><p:sldSz cx=\"{}\" cy=\"{}\"/><p:notesSz cx=\"6858000\" cy=\"9144000\"/>{}</p:presentation>",
            emu(SLIDE_W),
            emu(SLIDE_H),
            default_text_style()
        )
        .into_bytes(),
    ));
    parts.push((
        "ppt/_rels/presentation.xml.rels".into(),
        relationships(&pres_rels).into_bytes(),
    ));
    parts.push((
        "ppt/presProps.xml".into(),
        format!("{XML_HEADER}<p:presentationPr xmlns:a=\"{NS_A}\" xmlns:r=\"{NS_R}\" xmlns:p=\"{NS_P}\"/>").into_bytes(),
    ));
    parts.push((
        "ppt/viewProps.xml".into(),
        format!("{XML_HEADER}<p:viewPr xmlns:a=\"{NS_A}\" xmlns:r=\"{NS_R}\" xmlns:p=\"{NS_P}\"><p:normalViewPr><p:restoredLeft sz=\"15620\"/><p:restoredTop sz=\"80000\"/></p:normalViewPr><p:gridSpacing cx=\"76200\" cy=\"76200\"/></p:viewPr>").into_bytes(),
    ));
    parts.push((
        "ppt/tableStyles.xml".into(),
        format!("{XML_HEADER}<a:tblStyleLst xmlns:a=\"{NS_A}\" def=\"{{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}}\"/>").into_bytes(),
    ));
    parts.push((
        "ppt/theme/theme1.xml".into(),
        theme_xml("gapmap").into_bytes(),
    ));
    parts.push((
        "ppt/theme/theme2.xml".into(),
        theme_xml("gapmap notes").into_bytes(),
    ));
    parts.push((
        "ppt/slideMasters/slideMaster1.xml".into(),
        master_xml().into_bytes(),
    ));
    let layout_rel = rel_type("slideLayout");
    parts.push((
        "ppt/slideMasters/_rels/slideMaster1.xml.rels".into(),
        relationships(&[
            (
                "rId1".into(),
                &layout_rel,
                "../slideLayouts/slideLayout1.xml".into(),
            ),
            (
                "rId2".into(),
                &layout_rel,
                "../slideLayouts/slideLayout2.xml".into(),
            ),
            ("rId3".into(), &theme, "../theme/theme1.xml".into()),
        ])
        .into_bytes(),
    ));
    for (i, kind) in [Layout::Title, Layout::TitleOnly].into_iter().enumerate() {
        parts.push((
            format!("ppt/slideLayouts/slideLayout{}.xml", i + 1),
            layout_xml(kind).into_bytes(),
        ));
        parts.push((
            format!("ppt/slideLayouts/_rels/slideLayout{}.xml.rels", i + 1),
            relationships(&[(
                "rId1".into(),
                &slide_master,
                "../slideMasters/slideMaster1.xml".into(),
            )])
            .into_bytes(),
        ));
    }
    parts.push((
        "ppt/notesMasters/notesMaster1.xml".into(),
        notes_master_xml().into_bytes(),
    ));
    parts.push((
        "ppt/notesMasters/_rels/notesMaster1.xml.rels".into(),
        relationships(&[("rId1".into(), &theme, "../theme/theme2.xml".into())]).into_bytes(),
    ));

    let image_rel = rel_type("image");
    let notes_rel = rel_type("notesSlide");
    for (i, slide) in deck.slides.iter().enumerate() {
        let k = i + 1;
        let images = &slide_images[i];
        parts.push((
            format!("ppt/slides/slide{k}.xml"),
            slide_xml(slide).into_bytes(),
        ));
        let layout_target = match slide.layout {
            Layout::Title => "../slideLayouts/slideLayout1.xml",
            Layout::TitleOnly => "../slideLayouts/slideLayout2.xml",
        };
        let mut rels = vec![
            (
                "rId1".into(),
                layout_rel.as_str(),
                layout_target.to_string(),
            ),
            (
                "rId2".into(),
                notes_rel.as_str(),
                format!("../notesSlides/notesSlide{k}.xml"),
            ),
        ];
        for (j, m) in images.iter().enumerate() {
            rels.push((
                image_rel_id(j),
                image_rel.as_str(),
                format!("../media/image{m}.png"),
            ));
        }
        parts.push((
            format!("ppt/slides/_rels/slide{k}.xml.rels"),
            relationships(&rels).into_bytes(),
        ));
        parts.push((
            format!("ppt/notesSlides/notesSlide{k}.xml"),
            notes_xml(slide).into_bytes(),
        ));
        parts.push((
            format!("ppt/notesSlides/_rels/notesSlide{k}.xml.rels"),
            relationships(&[
                (
                    "rId1".into(),
                    notes_master.as_str(),
                    "../notesMasters/notesMaster1.xml".into(),
                ),
                (
                    "rId2".into(),
                    slide_rel.as_str(),
                    format!("../slides/slide{k}.xml"),
                ),
            ])
            .into_bytes(),
        ));
    }

    let time = zip_time(&deck.created);
    let xml_options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(time)
        .unix_permissions(0o644);
    // PNGs are compressed already: stored, not deflated again.
    let png_options = xml_options.compression_method(CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in &parts {
        zip.start_file(name.as_str(), xml_options)?;
        zip.write_all(bytes)?;
    }
    for (i, png) in media.iter().enumerate() {
        zip.start_file(format!("ppt/media/image{}.png", i + 1), png_options)?;
        zip.write_all(png)?;
    }
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            esc("a < b & \"c\" 'd'\u{1}"),
            "a &lt; b &amp; &quot;c&quot; &apos;d&apos;"
        );
    }

    #[test]
    fn points_convert_to_emu() {
        assert_eq!(emu(SLIDE_W), 12_192_000);
        assert_eq!(emu(SLIDE_H), 6_858_000);
    }

    #[test]
    fn zip_time_comes_from_the_creation_time() {
        let t = zip_time("2026-12-01T10:20:30.123Z");
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2026, 12, 1, 10, 20, 30)
        );
        assert_eq!(zip_time("not a date"), zip::DateTime::default());
    }
}
