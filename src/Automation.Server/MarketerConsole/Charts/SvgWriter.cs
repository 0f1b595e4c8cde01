using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using static Automation.Server.MarketerConsole.Charts.ChartNumbers;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>
/// Writes SVG elements into a buffer. Every text goes through the HTML encoder and every number through
/// <see cref="ChartNumbers.Attribute"/>, so labels from user files stay text and no NaN reaches an attribute.
/// </summary>
public sealed class SvgWriter
{
    /// <summary>Dark enough for text on white (at least 4.5:1) and told apart by more than hue in each chart.</summary>
    public static readonly IReadOnlyList<string> Palette = ["#1f5fa8", "#b3541e", "#2e7d32", "#6a3d9a", "#8a1c1c", "#00626b"];

    /// <summary>Colour of text, axes and grid labels.</summary>
    public const string Ink = "#1a1a1a";

    /// <summary>Colour of grid lines.</summary>
    public const string Grid = "#d0d0d0";

    private readonly StringBuilder _svg = new();

    /// <summary>Text made safe for element content and attribute values.</summary>
    public static string Encode(string text) => HtmlEncoder.Default.Encode(text);

    /// <summary>A rectangle, with an optional tooltip.</summary>
    public void Rect(double x, double y, double width, double height, string fill, string? tooltip = null)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Attribute(x)}\" y=\"{Attribute(y)}\" width=\"{Attribute(Math.Max(0, width))}\" height=\"{Attribute(Math.Max(0, height))}\" fill=\"{fill}\"");
        Close("rect", tooltip);
    }

    /// <summary>A straight line.</summary>
    public void Line(double x1, double y1, double x2, double y2, string stroke, double strokeWidth = 1, string? dash = null) =>
        _svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Attribute(x1)}\" y1=\"{Attribute(y1)}\" x2=\"{Attribute(x2)}\" y2=\"{Attribute(y2)}\" stroke=\"{stroke}\" stroke-width=\"{Attribute(strokeWidth)}\"{Dash(dash)}/>");

    /// <summary>A circle marker, with an optional tooltip.</summary>
    public void Circle(double cx, double cy, double r, string fill, string? tooltip = null)
    {
        _svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Attribute(cx)}\" cy=\"{Attribute(cy)}\" r=\"{Attribute(r)}\" fill=\"{fill}\"");
        Close("circle", tooltip);
    }

    /// <summary>An open line through <paramref name="points"/>.</summary>
    public void Polyline(IEnumerable<(double X, double Y)> points, string stroke, double strokeWidth, string? dash = null) =>
        _svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{Points(points)}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{Attribute(strokeWidth)}\"{Dash(dash)}/>");

    /// <summary>A filled shape through <paramref name="points"/>.</summary>
    public void Polygon(IEnumerable<(double X, double Y)> points, string fill, double opacity) =>
        _svg.Append(CultureInfo.InvariantCulture, $"<polygon points=\"{Points(points)}\" fill=\"{fill}\" fill-opacity=\"{Attribute(opacity)}\"/>");

    /// <summary>The width of every chart's canvas, in SVG units.</summary>
    public const double CanvasWidth = 640;

    private const double EdgeMargin = 2;

    /// <summary>
    /// Text at (x, y); <paramref name="anchor"/> is <c>start</c>, <c>middle</c> or <c>end</c>. Moved inwards when its
    /// estimated extent would cross the canvas's left or right edge, where the browser would clip it.
    /// </summary>
    public void Text(double x, double y, string text, string anchor = "start", string fill = Ink, double size = 12, bool bold = false)
    {
        var width = TextWidth(text, size);
        var (from, to) = anchor switch { "end" => (width, 0.0), "middle" => (width / 2, width / 2), _ => (0.0, width) };
        x = Math.Max(EdgeMargin + from, Math.Min(x, CanvasWidth - EdgeMargin - to));
        _svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Attribute(x)}\" y=\"{Attribute(y)}\" text-anchor=\"{anchor}\" fill=\"{fill}\" font-size=\"{Attribute(size)}\"{(bold ? " font-weight=\"bold\"" : "")}>{Encode(text)}</text>");
    }

    /// <summary>
    /// A generous estimate of how wide <paramref name="text"/> is drawn at <paramref name="size"/>: 0.62 em a Latin
    /// character (system sans-serif fonts average less), 1 em a CJK or other full-width one.
    /// </summary>
    public static double TextWidth(string text, double size) => text.Sum(c => c >= '\u1100' ? 1.0 : 0.62) * size;

    /// <summary>The elements written so far.</summary>
    public override string ToString() => _svg.ToString();

    private void Close(string element, string? tooltip) =>
        _svg.Append(tooltip is null ? "/>" : $"><title>{Encode(tooltip)}</title></{element}>");

    private static string Dash(string? dash) => dash is null ? "" : $" stroke-dasharray=\"{dash}\"";

    private static string Points(IEnumerable<(double X, double Y)> points) => string.Join(" ", points.Select(p => $"{Attribute(p.X)},{Attribute(p.Y)}"));
}
