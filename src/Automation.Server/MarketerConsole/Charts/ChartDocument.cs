using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Html;
using static Automation.Server.MarketerConsole.Charts.SvgWriter;

namespace Automation.Server.MarketerConsole.Charts;

/// <summary>
/// The HTML around every chart: a figure with the title, the SVG (scaled to the width of the page, named and
/// described for screen readers) and the numbers in a table under a Data disclosure. The output is well-formed XML.
/// </summary>
public static class ChartDocument
{
    /// <summary>What a chart shows when it has nothing to draw.</summary>
    public const string NoData = "No data for this period";

    /// <summary>The figure for <paramref name="caption"/> with the drawing of a <paramref name="width"/> × <paramref name="height"/> view box.</summary>
    public static IHtmlContent Compose(ChartCaption caption, double width, double height, SvgWriter drawing, DataTable data)
    {
        var html = new StringBuilder();
        var id = caption.Id;
        html.Append(CultureInfo.InvariantCulture, $"<figure class=\"chart\" id=\"{id}\"><figcaption>{Encode(caption.Title)}</figcaption>");
        html.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {ChartNumbers.Attribute(width)} {ChartNumbers.Attribute(height)}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" font-family=\"system-ui, sans-serif\">");
        html.Append(CultureInfo.InvariantCulture, $"<title id=\"{id}-title\">{Encode(caption.Title)}</title><desc id=\"{id}-desc\">{Encode(caption.Description)}</desc>");
        html.Append(drawing);
        html.Append("</svg>");
        data.WriteTo(html);
        html.Append("</figure>");
        return new HtmlString(html.ToString());
    }

    /// <summary>The figure for a chart without data: its title and <see cref="NoData"/>.</summary>
    public static IHtmlContent Empty(ChartCaption caption) => new HtmlString(
        $"<figure class=\"chart chart-empty\" id=\"{caption.Id}\"><figcaption>{Encode(caption.Title)}</figcaption><p>{NoData}</p></figure>");
}
